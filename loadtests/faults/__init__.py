"""``perfproof faults``: the scenarios, how a server is broken, the phases, the command."""
