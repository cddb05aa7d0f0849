from ntm.accounts.testing import personas  # noqa: F401  (a pytest fixture)
