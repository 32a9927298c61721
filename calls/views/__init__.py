"""Call pages, by audience: ``public`` (the public and the applicants), ``jury``, ``manage``."""
