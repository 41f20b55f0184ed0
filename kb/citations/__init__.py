"""Citations: how each source is cited in court style (`style`) and the Court's own citation graph (`graph`)."""
