"""A byline as text and as a list of names: printed ("A, B and C") and read
back (the old text bylines, when they became contributors)."""

import re

# "A and B", "A, B and C", "A & B", "A; B": never a comma inside one name.
SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.IGNORECASE)


def join_names(names):
    """ "A", "A and B", "A, B and C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def split_names(byline):
    """The names in a printed byline, in order, each once; "By " and
    roles in parentheses dropped."""
    text = re.sub(r"^\s*by\s+", "", byline or "", flags=re.IGNORECASE)
    text = re.sub(r"\([^)]*\)", "", text)
    names = []
    for name in SEPARATORS.split(text):
        name = " ".join(name.split())
        if name and name not in names:
            names.append(name)
    return names
