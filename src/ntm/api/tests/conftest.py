from ntm.accounts.testing import personas

__all__ = ["personas"]
