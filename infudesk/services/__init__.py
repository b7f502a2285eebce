"""Use cases: functions that take a Session and an Actor, never open a session themselves."""
