"""People by address: found, or created the first time an address is seen."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from intro.addresses import Address
from intro.models import Person
from intro.timeutil import utcnow
from intro.upsert import insert_new

# Statements built once: this runs for every address of every message.
_PERSON = select(Person.id, Person.display_name).where(Person.email == bindparam("email"))
_NAME_PERSON = update(Person).where(Person.id == bindparam("pid")).values(display_name=bindparam("name"))


def person_id_for(session: Session, contact: Address) -> int:
    """The id of the person with this address, created (with the display name) if new."""
    found = session.execute(_PERSON, {"email": contact.email}).first()
    if found is None:
        new_id = insert_new(session, Person, {"email": contact.email, "display_name": contact.name,
                                              "created_at": utcnow()}, ["email"])
        if new_id is not None:
            return int(new_id)
        found = session.execute(_PERSON, {"email": contact.email}).one()  # inserted meanwhile by another node
    if contact.name and not found.display_name:
        session.execute(_NAME_PERSON, {"pid": found.id, "name": contact.name})
    return int(found.id)
