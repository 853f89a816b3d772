"""Who acts when no person does: jpoa's own processes, named in the audit trail.

A write is always made by someone. A person signed in on the web or holding an API
token is a user; the data-set loader, the demonstration data and the operator's
command line act as a `SystemActor`, which may do what a coordinator may and is named
in every audit entry it causes (``additional_data["system_actor"]``) and on every
edition it publishes (`Edition.published_by_system`). It is not a row of the user
table: nobody can sign in as it.
"""

from dataclasses import dataclass

AUDIT_KEY = "system_actor"


@dataclass(frozen=True)
class SystemActor:
    """One of jpoa's own processes, e.g. ``SystemActor("data-set loader")``."""

    name: str
    # What code that asks a user these questions must hear from a process.
    is_authenticated = False
    is_active = True
    is_superuser = False
    pk = None

    def __str__(self) -> str:
        return f"jpoa ({self.name})"


DATASET_LOADER = SystemActor("data-set loader")
COMMAND_LINE = SystemActor("command line")
DEMONSTRATION = SystemActor("demonstration data")
BENCHMARK = SystemActor("benchmark")


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def audit_fields(actor) -> dict:
    """The columns of an audit entry that name ACTOR (a user or a `SystemActor`)."""
    if is_system(actor):
        return {"actor": None, "actor_email": None, "additional_data": {AUDIT_KEY: actor.name}}
    if getattr(actor, "is_authenticated", False):
        return {"actor": actor, "actor_email": getattr(actor, "email", None) or None}
    return {"actor": None, "actor_email": None}
