"""Every change to stored values goes through these functions (design decision 7).

Each runs in one transaction, takes the acting user as a keyword argument, asks
`ntm.accounts.permissions` whether that user may act, writes one audit row with before and
after; the read layer (`ntm.results`) sees the change by the stamp the write moves.
Errors carry a Vietnamese message (English after it) and leave nothing written.

One module per action: `entries` (saving a stage of a value), `workflow` (submit, approve,
return, reopen, the province's rule), `notifications` (written by those acts, marked read),
`declarations`, `decisions` (the province's, over a computed result), `counts` (a count-only
record: the number of criteria met), `evidence`, `comments`,
`imports` (a filled template; `count_import` a count-only list through its plumbing),
`past_record` (a record kept before ntm), `provenance` (simulated data); `history` reads a
value's history back. `locks` holds the period locks every write takes, `checks` what every
action checks first, `errors` the refusals. Entries, declarations, province decisions, count
records and period states are written by `ntm.values.record` alone, the one writer of each.
"""

from ntm.values.services.checks import MAX_REASON, measure_of
from ntm.values.services.comments import MAX_COMMENT, add_comment
from ntm.values.services.count_import import CountImportResult, import_counts
from ntm.values.services.counts import check_count, may_record_count, record_count
from ntm.values.services.decisions import decide_status
from ntm.values.services.declarations import declare_district_statuses, declare_status
from ntm.values.services.describe import describe_entry, display_name
from ntm.values.services.entries import Entry, check_entry, may_be_not_applicable, save_value
from ntm.values.services.errors import Conflict, InvalidEntry, Locked, NotAllowed, ValuesError
from ntm.values.services.evidence import add_evidence
from ntm.values.services.history import (
    ACTION_LABELS,
    STAGE_LABELS,
    STATE_VI,
    HistoryEntry,
    value_history,
)
from ntm.values.services.locks import lock_periods, locked_for, set_reads, states
from ntm.values.services.notifications import mark_read
from ntm.values.services.past_record import (
    HISTORY_OBJECT,
    HistoryLoad,
    HistoryRefused,
    PastApproval,
    PastDeclaration,
    PastValue,
    load_history,
)
from ntm.values.services.provenance import mark_simulated
from ntm.values.services.workflow import (
    NeedsConfirmation,
    approve,
    reopen,
    requires_complete,
    return_submission,
    set_require_complete,
    submit,
)

__all__ = [
    "ACTION_LABELS",
    "HISTORY_OBJECT",
    "MAX_COMMENT",
    "MAX_REASON",
    "STAGE_LABELS",
    "STATE_VI",
    "Conflict",
    "CountImportResult",
    "Entry",
    "HistoryEntry",
    "HistoryLoad",
    "HistoryRefused",
    "InvalidEntry",
    "Locked",
    "NeedsConfirmation",
    "NotAllowed",
    "PastApproval",
    "PastDeclaration",
    "PastValue",
    "ValuesError",
    "add_comment",
    "add_evidence",
    "approve",
    "check_count",
    "check_entry",
    "decide_status",
    "declare_district_statuses",
    "declare_status",
    "describe_entry",
    "display_name",
    "import_counts",
    "load_history",
    "lock_periods",
    "locked_for",
    "mark_read",
    "mark_simulated",
    "may_be_not_applicable",
    "may_record_count",
    "measure_of",
    "record_count",
    "reopen",
    "requires_complete",
    "return_submission",
    "save_value",
    "set_reads",
    "set_require_complete",
    "states",
    "submit",
    "value_history",
]
