"""People by address: found, or created the first time an address is seen.

A person has one primary address (``Person.email``) and any number of confirmed others
(``PersonAddress``, intro.merging); whichever an introduction, a sign-in or a message
uses, it is the same person.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from intro.addresses import Address
from intro.models import Person, PersonAddress
from intro.timeutil import utcnow
from intro.upsert import insert_new

# Statements built once: this runs for every address of every message.
_PERSON = select(Person.id, Person.display_name).where(Person.email == bindparam("email"))
_EXTRA = select(Person.id, Person.display_name).join(PersonAddress, PersonAddress.person_id == Person.id) \
    .where(PersonAddress.email == bindparam("email"))
_NAME_PERSON = update(Person).where(Person.id == bindparam("pid")).values(display_name=bindparam("name"))


def person_id_for(session: Session, contact: Address) -> int:
    """The id of the person with this address, created (with the display name) if new."""
    found = session.execute(_PERSON, {"email": contact.email}).first() or \
        session.execute(_EXTRA, {"email": contact.email}).first()
    if found is None:
        new_id = insert_new(session, Person, {"email": contact.email, "display_name": contact.name,
                                              "created_at": utcnow()}, ["email"])
        if new_id is not None:
            return int(new_id)
        found = session.execute(_PERSON, {"email": contact.email}).one()  # inserted meanwhile by another node
    if contact.name and not found.display_name:
        session.execute(_NAME_PERSON, {"pid": found.id, "name": contact.name})
    return int(found.id)


def find_id(session: Session, email: str) -> int | None:
    """The person with this address, primary or confirmed; None if nobody has it."""
    found = session.execute(_PERSON, {"email": email}).first() or session.execute(_EXTRA, {"email": email}).first()
    return None if found is None else int(found.id)


def find(session: Session, email: str) -> Person | None:
    found = find_id(session, email)
    return None if found is None else session.get_one(Person, found)


def addresses(session: Session, person_id: int) -> list[str]:
    """All of a person's addresses: the primary first, then the others as confirmed."""
    primary = session.scalar(select(Person.email).where(Person.id == person_id))
    others = session.scalars(select(PersonAddress.email).where(PersonAddress.person_id == person_id)
                             .order_by(PersonAddress.id))
    return [primary, *others] if primary is not None else []
