"""The SMTP front door: recipient policy, durable storage, and (later) understanding mail."""
