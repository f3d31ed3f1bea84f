"""The Jinja2 templates of intro's mail (email/) and pages (web/), shared by mailer/ and web/.

They stay at the top of the repository, where the project's layout puts them, and are
installed as the package data ``intro.templates`` (pyproject.toml maps the folder there).
"""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
