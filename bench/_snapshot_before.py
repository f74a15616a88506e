"""The snapshot export and import as they were before issue 12 (commit ``f84288d``), frozen
for ``bench.training_snapshot``: the baseline its ratios are measured against, in the same run.

Only the functions the optimisation replaced are kept here, verbatim but for their imports
(openpyxl reading the sheets' markup in Python, a dict per row, a second pass to parse, values
prepared by ``get_db_prep_save`` one by one, a ``json.dumps`` per row); what did not change
(the layout, the checks of the container, sealing, target resolution) is imported from the
application. Not used by the application; not to be edited but to follow a model change.
"""

# ruff: noqa

from __future__ import annotations

import datetime
import json
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.workspaces.cloning import workspace_records_delete
from relais.core.workspaces.models import Membership, Workspace, WorkspaceKind
from relais.crm.services.customers import customers_reindex
from relais.training.models import Anomaly, SchoolBase
from relais.training.services.snapshots import (
    SNAPSHOT_NAMESPACE,
    Progress,
    SnapshotImportResult,
    _json,
    _resolve_target,
    snapshot_metadata,
    snapshot_workspace_check,
)
from relais.training.snapshots.workbook import (
    ANOMALY_COLUMNS,
    ANOMALY_SHEET,
    FORMAT_NAME,
    FORMAT_VERSION,
    HIDDEN_COLUMNS,
    HIDDEN_RECORD_KEY,
    MAX_ROWS,
    META_SHEET,
    REQUIRED_TEXT,
    Checksum,
    Column,
    Errors,
    ParsedSnapshot,
    SheetData,
    Table,
    _check_container,
    _fail,
    _label,
    _STORAGE_VALIDATORS,
    _xml_text,
    anomaly_context,
    decode_text,
    encode_text,
    hidden_context,
    open_identity,
    seal_hidden,
    seal_records,
    table_queryset,
    tables,
    to_cell,
)

INSERT_BATCH = 1000


# The application's parsed tables became columnar (issue 12, second round): the row-wise
# shape this code builds, and the school restore that reads it, kept here as they were.
@dataclass
class ParsedTable:
    table: Table
    rows: list[tuple[str, list]]  # (external id, [value or external id, per column])
    public_ids: list = field(default_factory=list)  # the external ids as UUIDs, if public ids


def _restore_school(parsed: ParsedSnapshot, target: Workspace) -> None:
    """A school database keeps its reference day and its list of anomalies."""
    meta = parsed.meta
    if target.kind != WorkspaceKind.TEMPLATE or not meta.get("reference_date"):
        return
    customers = next(
        (
            len(pt.rows)
            for pt in parsed.tables
            if pt.table.model._meta.label_lower == "crm.customer"
        ),
        0,
    )
    school, _created = SchoolBase.objects.update_or_create(
        workspace=target,
        defaults={
            "seed": int(meta.get("school_seed") or 0),
            "reference_date": meta["reference_date"],
            "customer_count": customers,
        },
    )
    school.anomalies.all().delete()
    Anomaly.objects.bulk_create(
        Anomaly(school_base=school, **anomaly) for anomaly in parsed.anomalies
    )


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _INLINE, _TEXT, _RUN = (
    f"{_MAIN}{tag}" for tag in ("row", "c", "v", "is", "t", "r")
)
_COLUMN_REF = __import__("re").compile(r"[A-Z]+")


def from_cell(column: Column, raw):
    """The Python value of a cell of a value column; raises ``ValidationError``."""
    field_ = column.field
    if raw is None or raw == "":
        if field_.null:
            return None
        if column.kind == "text" and _label(field_) not in REQUIRED_TEXT:
            # Whatever the workspace held (events logged without a code, say) comes back;
            # derived columns are recomputed on import anyway.
            return ""
        raise ValidationError(_("valeur obligatoire manquante"))
    if column.kind == "bool":
        if not isinstance(raw, bool):
            raise ValidationError(_("« %(value)s » n'est pas un booléen") % {"value": raw})
        return raw
    if column.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValidationError(_("« %(value)s » n'est pas un nombre entier") % {"value": raw})
        value = raw
    else:
        if not isinstance(raw, str):
            raise ValidationError(_("« %(value)s » devrait être un texte") % {"value": raw})
        text = decode_text(raw) if column.kind == "text" else raw
        if isinstance(field_, models.JSONField):
            try:
                value = json.loads(decode_text(raw))
            except ValueError as exc:
                raise ValidationError(_("JSON invalide")) from exc
        elif isinstance(field_, models.DateTimeField):
            try:
                value = datetime.datetime.fromisoformat(text)
            except ValueError as exc:
                raise ValidationError(
                    _("« %(value)s » n'est pas une date et heure ISO") % {"value": text}
                ) from exc
            if value.tzinfo is None:
                raise ValidationError(
                    _("« %(value)s » : fuseau horaire manquant") % {"value": text}
                )
        else:
            value = field_.to_python(text)
    if field_.choices and value not in {choice for choice, _label in field_.flatchoices}:
        raise ValidationError(_("« %(value)s » n'est pas un choix permis") % {"value": value})
    # Only what the database itself would refuse: lengths, ranges, digits. Format validators
    # (e-mail, SIRET…) are not run, nor ``blank``: a school database holds invalid e-mails on
    # purpose, and a snapshot must give back whatever the workspace held.
    errors = []
    for validator in field_.validators:
        if isinstance(validator, _STORAGE_VALIDATORS):
            try:
                validator(value)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return value


def write_workbook(path: Path, meta: dict, sheets: list[SheetData]) -> str:
    """Write the workbook (write-only mode); returns the checksum stored in its metadata."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    checksum = Checksum()
    for sheet in sheets:
        checksum.sheet(sheet.name)
        checksum.row(sheet.header)
        for row in sheet.rows:
            checksum.row(row)
    meta = {**meta, **{f"rows.{sheet.name}": str(len(sheet.rows)) for sheet in sheets}}
    checksum.meta(meta)
    meta["checksum"] = checksum.hexdigest()

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def cells(sheet, values, header=False):
        result = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            if header:
                cell.font = bold
            result.append(cell)
        return result

    meta_sheet = workbook.create_sheet(META_SHEET)
    meta_sheet.append(cells(meta_sheet, ("clé", "valeur"), header=True))
    for key in sorted(meta):
        meta_sheet.append(cells(meta_sheet, (key, encode_text(str(meta[key])))))
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.freeze_panes = "B2"
        worksheet.append(cells(worksheet, sheet.header, header=True))
    # openpyxl writes the package (parts, relations, styles, frozen header); the data rows,
    # 90 % of the time through openpyxl's cell objects, are spliced in as the same markup.
    path = Path(path)
    draft = path.with_name(f".{path.name}.draft")
    try:
        workbook.save(draft)
        with (
            zipfile.ZipFile(draft) as source,
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target,
        ):
            # Write-only workbooks number their sheets in creation order: the metadata first.
            parts = {
                f"xl/worksheets/sheet{index}.xml": sheet
                for index, sheet in enumerate(sheets, start=2)
            }
            for info in source.infolist():
                data = source.read(info.filename)
                sheet = parts.get(info.filename)
                if sheet is None:
                    target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    continue
                head, marker, tail = data.decode().rpartition("</sheetData>")
                if not marker or "</sheetPr>" not in head:
                    raise RuntimeError(f"unexpected sheet markup in {info.filename}")
                # Readers size a sheet from <dimension>; without it they parse it twice.
                last = get_column_letter(len(sheet.header)) + str(len(sheet.rows) + 1)
                head = head.replace("</sheetPr>", f'</sheetPr><dimension ref="A1:{last}" />', 1)
                with target.open(info.filename, "w") as handle:
                    handle.write(head.encode())
                    for chunk in _rows_xml(sheet.rows, len(sheet.header)):
                        handle.write(chunk.encode())
                    handle.write((marker + tail).encode())
    finally:
        draft.unlink(missing_ok=True)
    return meta["checksum"]


def _rows_xml(rows: list[list], width: int, first: int = 2) -> Iterable[str]:
    """The ``<row>`` elements openpyxl would write for ``rows``, in chunks of ~1,000 rows."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(index) for index in range(1, width + 1)]
    chunk: list[str] = []
    for number, row in enumerate(rows, start=first):
        chunk.append(f'<row r="{number}">')
        for letter, value in zip(letters, row, strict=False):
            if value is None:
                continue
            ref = f"{letter}{number}"
            if isinstance(value, bool):
                chunk.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int):
                chunk.append(f'<c r="{ref}" t="n"><v>{value}</v></c>')
            else:
                space = ' xml:space="preserve"' if value != value.strip() else ""
                chunk.append(
                    f'<c r="{ref}" t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>'
                )
        chunk.append("</row>")
        if len(chunk) > 20_000:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def _column_index(ref: str, cache: dict) -> int:
    letters = _COLUMN_REF.match(ref).group()
    index = cache.get(letters)
    if index is None:
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        cache[letters] = index
    return index - 1


def _cell_value(cell, shared: list):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        if inline is None:
            return None
        parts = [t.text or "" for t in inline.findall(_TEXT)]
        parts += [t.text or "" for run in inline.findall(_RUN) for t in run.findall(_TEXT)]
        return "".join(parts)
    value = cell.find(_VALUE)
    text = value.text if value is not None else None
    if text is None:
        return None
    if kind == "s":
        return str(shared[int(text)])
    if kind == "b":
        return text.strip() == "1"
    if kind == "n":
        return float(text) if any(mark in text for mark in ".eE") else int(text)
    return text  # "str" (a formula's cached text), "e" (an error such as #N/A), "d"


def _shared_strings(path: Path) -> list[str]:
    """The shared-string table as stored, ``_xHHHH_`` escapes kept.

    openpyxl decodes those escapes in shared strings (not in inline ones); a workbook saved
    again by a spreadsheet must read exactly like the one Relais wrote.
    """
    from openpyxl.xml.functions import fromstring, iterparse

    with zipfile.ZipFile(path) as archive:
        types = fromstring(archive.read("[Content_Types].xml"))
        part = next(
            (
                item.get("PartName", "").lstrip("/")
                for item in types
                if item.get("ContentType", "").endswith("sharedStrings+xml")
            ),
            None,
        )
        if not part or part not in archive.namelist():
            return []
        strings = []
        with archive.open(part) as source:
            for _event, element in iterparse(source, events=("end",)):
                if element.tag != f"{_MAIN}si":
                    continue
                parts = [t.text or "" for t in element.findall(_TEXT)]
                parts += [t.text or "" for run in element.findall(_RUN) for t in run.findall(_TEXT)]
                strings.append("".join(parts))
                element.clear()
        return strings


def _sheet_rows(worksheet) -> Iterable[list]:
    """The cell values of a read-only sheet, row by row, like ``iter_rows(values_only=True)``.

    openpyxl builds an object per cell; reading the markup directly is about twice as fast.
    Rows missing from the markup are skipped (an empty row means nothing here).
    """
    # openpyxl's own parser: defusedxml's when installed (entity expansion refused).
    from openpyxl.xml.functions import iterparse

    shared = worksheet.parent.relais_shared_strings
    columns: dict = {}
    with worksheet._get_source() as source:
        for _event, element in iterparse(source, events=("end",)):
            if element.tag != _ROW:
                continue
            values: list = []
            for position, cell in enumerate(element.iter(_CELL)):
                ref = cell.get("r")
                index = _column_index(ref, columns) if ref else position
                if index >= len(values):
                    values += [None] * (index + 1 - len(values))
                values[index] = _cell_value(cell, shared)
            element.clear()
            yield values


def _rows(worksheet) -> Iterable[list]:
    for row in _sheet_rows(worksheet):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            yield values


def read_workbook(path: Path, progress: Callable[[str], None] | None = None) -> ParsedSnapshot:
    """Read and check everything in the file; raise ``ValidationError`` (French) on any fault.

    Nothing is written to the database here.
    """
    from openpyxl import load_workbook

    path = Path(path)
    _check_container(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
        workbook.relais_shared_strings = _shared_strings(path)
    except Exception as exc:  # openpyxl raises many kinds of errors on a broken file
        raise ValidationError(_("Le classeur ne peut pas être lu : il est endommagé.")) from exc
    try:
        return _read(workbook, progress)
    except ValidationError:
        raise
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ValidationError(_("Le classeur ne peut pas être lu : il est endommagé.")) from exc
    finally:
        workbook.close()


def _read(workbook, progress) -> ParsedSnapshot:
    sheetnames = set(workbook.sheetnames)
    if META_SHEET not in sheetnames:
        _fail(
            _("Ce classeur n'est pas une sauvegarde Relais : feuille « %s » absente.") % META_SHEET
        )
    meta_sheet = workbook[META_SHEET]
    meta_sheet.reset_dimensions()
    meta: dict = {}
    for index, row in enumerate(_rows(meta_sheet)):
        if index == 0:
            continue
        row += [None] * (2 - len(row))
        if len(row) != 2 or not isinstance(row[0], str) or not isinstance(row[1], str | None):
            _fail(_("Feuille « %s » : ligne mal formée.") % META_SHEET)
        meta[row[0]] = decode_text(row[1] or "")
    if meta.get("format") != FORMAT_NAME:
        _fail(_("Ce classeur n'est pas une sauvegarde Relais (métadonnées absentes ou erronées)."))
    if meta.get("format_version") != FORMAT_VERSION:
        _fail(
            _("Version de format %(found)s non prise en charge (attendue : %(expected)s).")
            % {"found": meta.get("format_version") or "?", "expected": FORMAT_VERSION}
        )
    for key in ("workspace_id", "workspace_name", "workspace_kind", "checksum", "tables"):
        if not meta.get(key):
            _fail(_("Métadonnées incomplètes : « %s » manque.") % key)
    try:
        uuid.UUID(str(meta["workspace_id"]))
    except ValueError:
        _fail(_("Métadonnées : identifiant d'espace invalide."))

    known = {table.sheet: table for table in tables()}
    listed = [name for name in str(meta["tables"]).split(",") if name]
    unknown = [name for name in listed if name not in known]
    if unknown:
        _fail(_("Tables inconnues de cette version de Relais : %s.") % ", ".join(unknown))
    missing = [name for name in known if name not in sheetnames]
    if missing:
        _fail(_("Feuilles manquantes : %s.") % ", ".join(missing))

    checksum = Checksum()
    total = 0
    raw_sheets: dict[str, list[list]] = {}
    sheet_names = list(known)
    if meta.get("workspace_kind") == "template" and ANOMALY_SHEET in sheetnames:
        sheet_names.append(ANOMALY_SHEET)
    for name in sheet_names:
        if progress:
            progress(_("Lecture de la feuille %s") % name)
        worksheet = workbook[name]
        worksheet.reset_dimensions()
        expected = known[name].header if name in known else ANOMALY_COLUMNS
        rows = _rows(worksheet)
        header = tuple(next(rows, []))
        if header != expected:
            absent = [column for column in expected if column not in header]
            extra = [str(column) for column in header if column not in expected]
            detail = []
            if absent:
                detail.append(_("colonnes manquantes : %s") % ", ".join(absent))
            if extra:
                detail.append(_("colonnes inconnues : %s") % ", ".join(extra))
            if not detail:
                detail.append(_("colonnes dans le désordre"))
            _fail(
                _("Feuille « %(sheet)s » : %(detail)s.")
                % {"sheet": name, "detail": "; ".join(detail)}
            )
        checksum.sheet(name)
        checksum.row(header)
        body = []
        width = len(expected)
        for row in rows:
            total += 1
            if total > MAX_ROWS:
                _fail(
                    _("Le classeur a trop de lignes (au plus %s).")
                    % f"{MAX_ROWS:,}".replace(",", " ")
                )
            if len(row) > width:
                _fail(_("Feuille « %s » : une ligne a plus de cellules que de colonnes.") % name)
            row += [None] * (width - len(row))
            checksum.row(row)
            body.append(row)
        raw_sheets[name] = body
        if str(meta.get(f"rows.{name}")) != str(len(body)):
            _fail(
                _("Feuille « %(sheet)s » : %(found)s lignes au lieu de %(expected)s annoncées.")
                % {"sheet": name, "found": len(body), "expected": meta.get(f"rows.{name}", "?")}
            )
    checksum.meta(meta)
    if checksum.hexdigest() != meta["checksum"]:
        _fail(
            _(
                "Le classeur a été modifié depuis son export (somme de contrôle différente) : "
                "il est refusé."
            )
        )
    return _parse(meta, known, raw_sheets)


def _parse(
    meta: dict, known: dict[str, Table], raw_sheets: dict[str, list[list]]
) -> ParsedSnapshot:
    errors = Errors()
    unopened = 0
    parsed_tables = []
    ids_by_model: dict[type[models.Model], set[str]] = {}
    for name, table in known.items():
        seen: set[str] = set()
        rows = []
        for number, raw in enumerate(raw_sheets[name], start=2):
            external_id = raw[0]
            where = {"sheet": name, "row": number}
            if not isinstance(external_id, str) or not external_id:
                errors.add(
                    _("Feuille « %(sheet)s », ligne %(row)s : identifiant manquant.") % where
                )
                continue
            if external_id in seen:
                errors.add(
                    _("Feuille « %(sheet)s », ligne %(row)s : identifiant en double.") % where
                )
                continue
            if table.has_public_id:
                try:
                    uuid.UUID(external_id)
                except ValueError:
                    errors.add(
                        _("Feuille « %(sheet)s », ligne %(row)s : identifiant invalide.") % where
                    )
                    continue
            seen.add(external_id)
            values = {}
            for column, cell in zip(table.columns, raw[1:], strict=True):
                if (name, column.name) in HIDDEN_COLUMNS:
                    key, opened = open_identity(
                        cell, hidden_context(name, external_id, column.name)
                    )
                    unopened += not opened
                    values[column.name] = key
                    continue
                try:
                    values[column.name] = _reference_cell(column, cell)
                except ValidationError as exc:
                    errors.add(
                        _("Feuille « %(sheet)s », ligne %(row)s, colonne %(column)s : %(error)s.")
                        % {
                            **where,
                            "column": column.name,
                            "error": "; ".join(m.rstrip(".") for m in exc.messages),
                        }
                    )
            rows.append((external_id, values))
        ids_by_model[table.model] = seen
        parsed_tables.append(ParsedTable(table, rows))
    errors.raise_if_any()

    # Every reference must land on a row of the file.
    labels = {table.model._meta.label_lower: table.model for table in known.values()}
    for parsed in parsed_tables:
        for number, (_external_id, values) in enumerate(parsed.rows, start=2):
            for column in parsed.table.columns:
                value = values.get(column.name)
                target = None
                if value is None:
                    continue
                if column.kind == "record":
                    target = column.target
                elif column.kind == "generic" and isinstance(value, str):
                    target = labels.get(values.get(column.ct_field) or "")
                if target is not None and value not in ids_by_model[target]:
                    errors.add(
                        _(
                            "Feuille « %(sheet)s », ligne %(row)s, colonne %(column)s : "
                            "« %(value)s » ne désigne aucune ligne de la feuille « %(target)s »."
                        )
                        % {
                            "sheet": parsed.table.sheet,
                            "row": number,
                            "column": column.name,
                            "value": value,
                            "target": target._meta.label_lower,
                        }
                    )
    anomalies = []
    for number, raw in enumerate(raw_sheets.get(ANOMALY_SHEET, []), start=2):
        try:
            records = json.loads(decode_text(raw[4] or "[]"))
            for index, record in enumerate(records):
                if isinstance(record, dict) and HIDDEN_RECORD_KEY in record:
                    key, opened = open_identity(
                        record[HIDDEN_RECORD_KEY], anomaly_context(str(raw[0]), index)
                    )
                    unopened += not opened
                    record[HIDDEN_RECORD_KEY] = key
            anomalies.append(
                {
                    "kind": decode_text(raw[1] or ""),
                    "description": decode_text(raw[2] or ""),
                    "expected_correction": decode_text(raw[3] or ""),
                    "records": records,
                }
            )
        except (ValueError, TypeError, AttributeError):
            errors.add(_("Feuille « Anomalies », ligne %s : valeur invalide.") % number)
    errors.raise_if_any()
    return ParsedSnapshot(
        meta=meta, tables=parsed_tables, anomalies=anomalies, unopened_keys=unopened
    )


def _reference_cell(column: Column, cell):
    """A cell's value; references stay as written (external id, username, model label)."""
    if column.kind in {"record", "user", "contenttype", "generic", "other_fk"}:
        if cell is None or cell == "":
            if not column.field.null:
                raise ValidationError(_("référence obligatoire manquante"))
            return None
        if column.kind == "other_fk" or (column.kind == "generic" and isinstance(cell, int)):
            if isinstance(cell, bool) or not isinstance(cell, int):
                raise ValidationError(_("« %(value)s » n'est pas un identifiant") % {"value": cell})
            return cell
        if not isinstance(cell, str):
            raise ValidationError(_("« %(value)s » devrait être un texte") % {"value": cell})
        return decode_text(cell)
    return from_cell(column, cell)


def _external_ids(layout: tuple[Table, ...], workspace) -> dict:
    """``{model: {pk: external id}}`` for every record of the workspace."""
    result: dict = {}
    for table in layout:
        queryset = table_queryset(table, workspace).order_by("pk")
        if table.has_public_id:
            result[table.model] = {
                pk: str(public_id) for pk, public_id in queryset.values_list("pk", "public_id")
            }
            continue
        # No public id: "<parent's external id>/<rank among its siblings>", stable because an
        # import inserts rows in file order and the export reads them back in key order.
        parents = result[table.parent.related_model]
        ranks: dict = defaultdict(int)
        ids = {}
        for pk, parent_pk in queryset.values_list("pk", table.parent.attname):
            ranks[parent_pk] += 1
            ids[pk] = f"{parents[parent_pk]}/{ranks[parent_pk]}"
        result[table.model] = ids
    return result


def snapshot_export(*, actor, workspace: Workspace, path, progress: Progress = None) -> Path:
    """Write ``workspace``'s records to the workbook ``path``; returns the path."""
    snapshot_workspace_check(actor, workspace)
    path = Path(path)
    layout = tables()
    external = _external_ids(layout, workspace)
    usernames = dict(get_user_model()._base_manager.values_list("pk", "username"))
    sheets = []
    for table in layout:
        if progress:
            progress(_("Export de %s") % table.sheet)
        attnames = [column.field.attname for column in table.columns]
        own = external[table.model]
        rows = []
        queryset = table_queryset(table, workspace).order_by("pk").values_list("pk", *attnames)
        for pk, *values in queryset.iterator(chunk_size=5000):
            row = [own[pk]]
            by_name = {}
            for column, value in zip(table.columns, values, strict=True):
                by_name[column.name] = value
                if (table.sheet, column.name) in HIDDEN_COLUMNS:
                    row.append(seal_hidden(table.sheet, own[pk], column.name, value))
                else:
                    row.append(_export_cell(column, value, external, usernames, by_name))
            rows.append(row)
        sheets.append(SheetData(table.sheet, table.header, rows))
    school = SchoolBase.objects.filter(workspace=workspace).first()
    if workspace.kind == WorkspaceKind.TEMPLATE:
        anomalies = Anomaly.objects.filter(school_base=school).order_by("pk") if school else []
        sheets.append(
            SheetData(
                ANOMALY_SHEET,
                ANOMALY_COLUMNS,
                [
                    [
                        str(rank),
                        encode_text(anomaly.kind),
                        encode_text(anomaly.description) or None,
                        encode_text(anomaly.expected_correction) or None,
                        encode_text(_json(seal_records(str(rank), anomaly.records))),
                    ]
                    for rank, anomaly in enumerate(anomalies, start=1)
                ],
            )
        )
    write_workbook(path, snapshot_metadata(workspace, actor), sheets)
    audit_log(
        actor=actor,
        action="snapshot.export",
        target=workspace,
        workspace=workspace,
        after={"rows": sum(len(sheet.rows) for sheet in sheets)},
    )
    return path


def _export_cell(column, value, external, usernames, by_name):
    if value is None:
        return None
    if column.kind == "record":
        return external[column.target].get(value)
    if column.kind == "user":
        username = usernames.get(value)
        return encode_text(username) if username else None
    if column.kind == "contenttype":
        return ContentType.objects.get_for_id(value).model_class()._meta.label_lower
    if column.kind == "generic":
        ct_id = by_name.get(column.ct_field)
        model = ContentType.objects.get_for_id(ct_id).model_class() if ct_id else None
        return external.get(model, {}).get(value, int(value))
    if column.kind == "other_fk":
        return int(value) if isinstance(value, int) else encode_text(str(value))
    return to_cell(column, value)


def _allocate_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys, taken from the sequence so concurrent inserts never clash."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the surrounding write transaction holds the database lock.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({model._meta.pk.column}), 0) FROM {quoted}")  # noqa: S608
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
    return list(range(start + 1, start + 1 + count))


def _free_public_ids(model, wanted: list[str], workspace) -> set[str]:
    """The public ids among ``wanted`` already held by rows outside ``workspace``."""
    taken = set()
    manager = model._base_manager
    for start in range(0, len(wanted), 5000):
        chunk = [uuid.UUID(value) for value in wanted[start : start + 5000]]
        taken |= {
            str(value)
            for value in manager.filter(public_id__in=chunk)
            .exclude(workspace=workspace)
            .values_list("public_id", flat=True)
        }
    return taken


def snapshot_import(
    *, actor, path, workspace: Workspace | None = None, organization=None, progress: Progress = None
) -> Workspace:
    """Replace a training workspace's records with those of the workbook at ``path``.

    The whole file is read and checked first; any fault raises ``ValidationError`` (French)
    and nothing changes. Then, in one transaction: the target's records are deleted and the
    file's rows inserted, parents first, keeping the file's public ids unless another
    workspace already uses them (new ones are then derived, the same on every machine).

    Target: ``workspace``; or, for the command line (``actor=None``) without one, the
    workspace with the file's id, else a new one in ``organization`` with the file's id, name
    and kind. The returned workspace carries the details in ``snapshot_result``.
    """
    if workspace is not None:
        snapshot_workspace_check(actor, workspace)
    elif actor is not None:
        raise ValidationError(_("Choisissez l'espace de travail à remplacer."))
    parsed = read_workbook(Path(path), progress)
    User = get_user_model()
    usernames = {
        name
        for parsed_table in parsed.tables
        for column in parsed_table.table.columns
        if column.kind == "user"
        for _ext, values in parsed_table.rows
        if (name := values.get(column.name))
    }
    user_ids = dict(User._base_manager.filter(username__in=usernames).values_list("username", "pk"))
    unknown_users = sorted(usernames - set(user_ids))
    content_types = {}
    for parsed_table in parsed.tables:
        for column in parsed_table.table.columns:
            if column.kind != "contenttype":
                continue
            for _ext, values in parsed_table.rows:
                label = values.get(column.name)
                if label and label not in content_types:
                    try:
                        app_label, model_name = label.split(".")
                        content_types[label] = ContentType.objects.get_by_natural_key(
                            app_label, model_name
                        )
                    except (ValueError, ContentType.DoesNotExist):
                        raise ValidationError(
                            _("Feuille « %(sheet)s » : type « %(label)s » inconnu.")
                            % {"sheet": parsed_table.table.sheet, "label": label}
                        ) from None

    try:
        with transaction.atomic():
            target, created = _resolve_target(actor, parsed, workspace, organization)
            if progress:
                progress(_("Suppression du contenu actuel de « %s »") % target.name)
            workspace_records_delete(target)
            result = SnapshotImportResult(
                workspace=target,
                created=created,
                unknown_users=unknown_users,
                unopened_keys=parsed.unopened_keys,
            )
            _insert(parsed, target, actor, user_ids, content_types, result, progress)
            # Derived columns are never trusted: recomputed from the rows just written.
            if progress:
                progress(_("Recalcul des textes de recherche"))
            result.reindexed = customers_reindex(workspace=target)
            _restore_school(parsed, target)
            if created and actor is not None:
                Membership.objects.get_or_create(workspace=target, user=actor)
            audit_log(
                actor=actor,
                action="snapshot.import",
                target=target,
                workspace=target,
                after={
                    "rows": result.rows,
                    "source_workspace": parsed.meta["workspace_id"],
                    "checksum": parsed.meta["checksum"],
                    "renamed_ids": result.renamed_ids,
                    "created": created,
                },
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Le classeur contient des données incohérentes (doublon ou lien invalide) : %s")
            % str(exc).splitlines()[0][:200]
        ) from exc
    except DatabaseError as exc:
        raise ValidationError(_("Import impossible : %s") % str(exc).splitlines()[0][:200]) from exc
    target.snapshot_result = result
    return target


def _insert(parsed, target, actor, user_ids, content_types, result, progress) -> None:
    actor_id = getattr(actor, "pk", None)
    labels = {pt.table.model._meta.label_lower: pt.table.model for pt in parsed.tables}
    # Keys for every table first: a generic link may point at a later table (an interaction
    # about an invoice).
    new_pks: dict = {}
    for parsed_table in parsed.tables:
        pks = _allocate_ids(parsed_table.table.model, len(parsed_table.rows))
        new_pks[parsed_table.table.model] = {
            ext: pk for (ext, _values), pk in zip(parsed_table.rows, pks, strict=True)
        }
    quote = connection.ops.quote_name
    for parsed_table in parsed.tables:
        table = parsed_table.table
        model = table.model
        if progress:
            progress(
                _("Import de %(sheet)s (%(count)s lignes)")
                % {"sheet": table.sheet, "count": len(parsed_table.rows)}
            )
        mapping = new_pks[model]
        taken: set[str] = set()
        if table.has_public_id:
            taken = _free_public_ids(model, [ext for ext, _values in parsed_table.rows], target)
            result.renamed_ids += len(taken)
        columns = [model._meta.pk]
        if table.has_public_id:
            columns.append(model._meta.get_field("public_id"))
        if table.direct:
            columns.append(model._meta.get_field("workspace"))
        columns += [column.field for column in table.columns]
        # Table and column names come from the models, never from the file.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(model._meta.db_table),
            ", ".join(quote(column.column) for column in columns),
            ", ".join(["%s"] * len(columns)),
        )
        prepared = []
        for ext, values in parsed_table.rows:
            row = [mapping[ext]]
            if table.has_public_id:
                row.append(
                    uuid.uuid5(SNAPSHOT_NAMESPACE, f"{target.public_id}:{ext}")
                    if ext in taken
                    else uuid.UUID(ext)
                )
            if table.direct:
                row.append(target.pk)
            for column in table.columns:
                value = values.get(column.name)
                if value is not None:
                    if column.kind == "record":
                        value = new_pks[column.target][value]
                    elif column.kind == "user":
                        value = user_ids.get(value, actor_id)
                    elif column.kind == "contenttype":
                        value = content_types[value].pk
                    elif column.kind == "generic" and isinstance(value, str):
                        value = new_pks[labels[values[column.ct_field]]][value]
                row.append(value)
            prepared.append(
                [
                    None if value is None else db_field.get_db_prep_save(value, connection)
                    for db_field, value in zip(columns, row, strict=True)
                ]
            )
        with connection.cursor() as cursor:
            for start in range(0, len(prepared), INSERT_BATCH):
                cursor.executemany(sql, prepared[start : start + INSERT_BATCH])
        result.rows += len(prepared)
