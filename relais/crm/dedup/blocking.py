"""Blocking: only records that share at least one key are compared.

Several keys, each cheap and exact, so that a pair missed by one (a typo in the name, a
missing phone) is caught by another, while the number of candidate pairs stays close to
linear in the number of records:

* each phone number; the e-mail address; each identifier (VIN, plate, social-security no.),
  its sorted characters (a transposition keeps the key) and each of its halves;
* the sound key of the first name, and that of the last name, each with the postal code;
* the sound keys (``normalize.phonetic``) of first and last name, sorted so that swapped
  names give the same key, cut to two characters, with the postal code;
* the birth date with the initial of either name, and with the postal code;
* the sorted full sound keys of both names (people who moved);
* the start of the street with the postal code;
* for a record with neither phone nor e-mail (a file without contact points, such as FEBRL),
  whose duplicates only its names, birth date and address can find, wider keys: the birth
  date alone, the house number with the postal code and with the sound of the city, each
  name whole with the start of the city's sound key. A record with a phone or an e-mail
  does without them, which keeps a CRM's candidate count linear and small.

A block larger than ``max_block`` records (a very common name in a big city) is compared by
sorted neighbourhood instead: each record with the ``window`` records that follow it in the
order of the full names, which keeps its cost linear.
"""

from collections import defaultdict
from itertools import combinations

import numpy as np

from relais.crm.dedup.normalize import phonetic

MAX_BLOCK = 24
WINDOW = 8


def keys(record) -> list[str]:
    """The blocking keys of a prepared record (see ``engine.prepare``)."""
    (_, first, last, birth, email, phones, street, postal, _city, ident, vehicles) = record[:11]
    out = [f"t{p}" for p in phones]
    if email:
        out.append(f"e{email}")
    if ident:
        out.append(f"i{ident}")
        out.append(f"j{''.join(sorted(ident))}")  # any two characters swapped
        half = len(ident) // 2
        if half >= 3:  # one wrong character leaves one half intact
            out.extend((f"h{ident[:half]}", f"H{ident[half:]}"))
    out.extend(f"v{v}" for v in vehicles)
    pf, pl = phonetic(first), phonetic(last)
    if pf or pl:
        short = "|".join(sorted((pf[:2], pl[:2])))
        full = "|".join(sorted((pf, pl)))
        if postal:
            out.append(f"n{short}|{postal}")
            out.extend(f"p{code}|{postal}" for code in {pf, pl} if code)
        out.append(f"m{full}")
        if birth:
            out.extend(f"b{birth}|{code[:1]}" for code in {pf, pl} if code)
    if birth and postal:
        out.append(f"d{birth}|{postal}")
    if street and postal:
        out.append(f"s{street.replace(' ', '')[:8]}|{postal}")
    if not phones and not email:
        out.extend(_wide_keys(first, last, birth, street, postal, _city))
    return list(dict.fromkeys(out))


def _wide_keys(first: str, last: str, birth: str, street: str, postal: str, city: str):
    if birth:
        yield f"B{birth}"
    words = street.split()
    number = words[0] if words and words[0].isdigit() else ""
    sound = phonetic(city)
    if number and postal:
        yield f"N{number}|{postal}"
    if number and sound:
        yield f"c{number}|{sound}"
    if sound:
        if first:
            yield f"f{first}|{sound[:3]}"
        if last:
            yield f"l{last}|{sound[:3]}"  # a key twice would pair the record with itself


def sort_key(record) -> str:
    first, last = record[1], record[2]
    return " ".join(sorted((last, first)))


def candidate_pairs(records, *, max_block=MAX_BLOCK, window=WINDOW):
    """Candidate pairs as two int64 numpy arrays ``(left, right)`` of indexes into
    ``records``, ``left < right``, sorted; arrays rather than tuples because a million
    records give millions of pairs."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in keys(record):
            blocks[key].append(index)
    count = len(records)
    seen: set[int] = set()
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        if size <= max_block:
            for i, j in combinations(members, 2):
                seen.add(i * count + j)
        else:
            ordered = sorted(members, key=lambda i: sort_key(records[i]))
            for position, i in enumerate(ordered):
                for j in ordered[position + 1 : position + 1 + window]:
                    seen.add(i * count + j if i < j else j * count + i)
    del blocks
    codes = np.fromiter(seen, dtype=np.int64, count=len(seen))
    codes.sort()
    return codes // max(count, 1), codes % max(count, 1)
