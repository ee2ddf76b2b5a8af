"""One child's case between panels: referral, papers, actions, progress, reminders.

Owns: ``referrals`` (check and accept), ``attachments`` (the papers), ``store`` (case.json),
``actions`` (list and update), ``progress`` (reports back to the panel), ``reminders``.
May import: every package below ``meetings``.
"""
