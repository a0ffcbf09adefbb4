"""Co-manage (建设共管), managers' side: facilities, maintenance, coverage, stewards."""
