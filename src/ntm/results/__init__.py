"""The read layer: every figure a page, the API, a command or a report shows (design.md).

Nothing else computes a figure, reads a business date or queries values for one: they ask
here, so the same question gets the same number everywhere. The modules:

- `record`: the stored record, live or as it stood at a moment (version rows, one query);
- `evaluation`: the engine's results for stored values, cached per unit and per scope;
- `scope`: a province's communes on a day, crosswalks between days;
- `periods`: one period as recorded or re-based onto another date's units;
- `province`, `commune`, `central`: the read models of the pages and the API;
- `sets`: the criteria sets that apply to a period and province; `provenance`: simulated
  data and the sets a record was kept under;
- `query`: reading choices from text (`ChoiceError`); `cache`: keys from what a figure read.
"""
