"""French postcodes and their communes, from the shipped reference file."""

import csv
import gzip
import re
from functools import cache
from pathlib import Path

from relais.core.contacts.normalize import compact

DATA_FILE = Path(__file__).parent / "data" / "postcodes.csv.gz"


@cache
def _communes_by_postcode() -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            table.setdefault(row["postal_code"], []).append((row["city"], row["delivery_label"]))
    return table


def communes_for_postcode(postal_code: str) -> list[tuple[str, str]]:
    """The communes a postcode serves: (official name, La Poste delivery label) pairs."""
    return list(_communes_by_postcode().get(postal_code, []))


def postcode_exists(postal_code: str) -> bool:
    return postal_code in _communes_by_postcode()


def cities_for_postcode(postal_code: str) -> list[str]:
    return sorted({city for city, _ in _communes_by_postcode().get(postal_code, [])})


def city_matches_postcode(postal_code: str, city: str) -> bool:
    """True when ``city`` names a commune (or its delivery label) served by ``postal_code``.

    Comparison ignores case, accents, hyphens and the "Saint"/"St" abbreviation.
    """
    wanted = _city_key(city)
    for name, label in _communes_by_postcode().get(postal_code, []):
        if wanted in {_city_key(name), _city_key(label)} or wanted in _arrondissement_keys(name):
            return True
    return False


# "paris11earrondissement" -> city "paris", number "11".
_ARRONDISSEMENT = re.compile(r"^(?P<city>[a-z]+?)(?P<number>\d+)(?:er|e)arrondissement$")


def _arrondissement_keys(name: str) -> set[str]:
    """What people write for "Paris 11e Arrondissement": "Paris", "Paris 11", "Paris 11e"…

    Only these whole forms: a mere prefix ("P", "Paris 1") names another place or none.
    """
    match = _ARRONDISSEMENT.match(_city_key(name))
    if match is None:
        return set()
    city, number = match["city"], match["number"]
    keys = {city}
    for digits in {number, number.zfill(2)}:
        keys |= {city + digits + suffix for suffix in ("", "e", "er", "eme", "arrondissement")}
    return keys


def _city_key(city: str) -> str:
    key = compact(city)
    for short, full in (("ste", "sainte"), ("st", "saint")):
        if key.startswith(short) and not key.startswith(full):
            key = full + key[len(short) :]
    return key


if __name__ == "__main__":  # pragma: no cover - maintenance script
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Rebuild postcodes.csv.gz from codes-postaux.json")
    parser.add_argument("--from", dest="source", required=True)
    args = parser.parse_args()
    records = json.loads(Path(args.source).read_text(encoding="utf-8"))
    rows = sorted({(r["codePostal"], r["nomCommune"], r["libelleAcheminement"]) for r in records})
    with gzip.open(DATA_FILE, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["postal_code", "city", "delivery_label"])
        writer.writerows(rows)
