"""ccp: the Complex Child Panel workflow (referrals, packs, minutes, the action register)."""

__version__ = "0.1.0"
