"""How Vietnamese is written and read, in one place for pages, the API, the commands, the
reports and the exchange files: `text` folds names for matching, `dates` reads and writes
dates, `numbers` writes numbers and percentages. Pure: no Django, and no other package of
the project, so that every layer may use it."""
