"""What the portfolio announces to the apps above it, which it never names (docs/architecture.md).

``phase_changed``: a product entered a phase. Sent by ``portfolio.services.change_phase`` (and so by
``create_startup``) inside its transaction, once the new period is saved, with:

- ``startup``: the product (its ``phase`` already the new one),
- ``phase``: the new ``Phase``, ``start``: the day it began,
- ``actor``: who recorded the move (None for an import),
- ``period``: the new ``PhasePeriod`` (its ``decision_id`` set when a committee's decision caused it).

A receiver runs inside the same transaction: what it writes is kept or rolled back with the move.
The apps above listen to it (the committee cadence recomputes the next due date from it).
"""

from django.dispatch import Signal

phase_changed = Signal()
