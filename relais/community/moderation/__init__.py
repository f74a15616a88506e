"""Checking a member's text before it is published: banned words and personal data.

A pure engine (no models): ``words`` (entries, actions, CSV lists), ``forms`` (French
inflections), ``normalize`` (folding with offsets, obfuscation), ``textcheck`` (the compiled
list and the verdict), ``pii`` (NIR, IBAN, phone, e-mail). Typical use::

    banned = BannedWords(entries)          # once per list (and per change of the list)
    verdict = check_text(text, banned)     # per message: action, reasons, text
"""
