"""What other apps may follow of the units without the units app knowing them."""

from django.dispatch import Signal

# Sent in the transaction that recorded a change of units (`ntm.units.services`), with
# `event`, `acting_user` and `actor`: a receiver's writes commit or roll back with it.
unit_event_recorded = Signal()
