"""Fast bulk inserts for generated data.

``QuerySet.bulk_create`` compiles one placeholder per value and passes every value through
the field's full ``get_db_prep_save`` chain; at 100,000 customers (about 2.7 million rows)
that alone costs minutes. ``BulkInserter`` keeps what matters of it — the model's own
columns, the defaults the model applies, database-ready values for the types that need
converting — and sends fixed-shape rows: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.
Primary keys are reserved up front (from the table's sequence on PostgreSQL, past the
highest key ever given on SQLite, whose writers the ``IMMEDIATE`` transaction serialises), so
that children can point at parents assigned to them before anything was written, exactly as
after ``bulk_create``. Foreign keys are checked by the database as usual, at commit.

Other database vendors fall back to ``bulk_create`` (which must then return primary keys).
"""

from collections.abc import Callable, Sequence
from operator import attrgetter
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.utils import timezone

from relais.core.rows import reserve_ids


class BulkInserter:
    """Inserts model instances in bulk and gives them their primary keys."""

    def __init__(self, batch_size: int = 2000, using: str = DEFAULT_DB_ALIAS):
        self.batch_size = batch_size
        self.connection = connections[using]
        self.now = timezone.now()
        self.fast = self.connection.vendor in {"sqlite", "postgresql"}
        self._plans: dict[type[Model], _InsertPlan] = {}

    def insert(self, model: type[Model], objects: Sequence[Model]) -> None:
        """Insert model instances; each gets its primary key, and its foreign keys the keys
        of parents saved since they were assigned."""
        if not objects:
            return
        if not self.fast:
            model._default_manager.bulk_create(objects, batch_size=self.batch_size)
            return
        plan = self._plan(model)
        plan.link_parents(objects)
        self._send(model, plan, objects)
        for obj in objects:
            obj._state.adding = False
            obj._state.db = self.connection.alias

    def insert_values(self, model: type[Model], rows: Sequence[dict]) -> None:
        """Insert rows given as ``{attname: value}``, missing fields taking their default.

        Cheaper than model instances for rows nothing reads afterwards (log entries, links).
        """
        if not rows:
            return
        if not self.fast:
            model._default_manager.bulk_create(
                [model(**row) for row in rows], batch_size=self.batch_size
            )
            return
        plan = self._plan(model)
        static, factories = plan.static_defaults, plan.default_factories
        objects = [
            SimpleNamespace(**(static | {name: make() for name, make in factories.items()} | row))
            for row in rows
        ]
        self._send(model, plan, objects)

    def _plan(self, model: type[Model]) -> "_InsertPlan":
        if model not in self._plans:
            self._plans[model] = _InsertPlan(model, self)
        return self._plans[model]

    def _send(self, model: type[Model], plan: "_InsertPlan", objects: Sequence) -> None:
        pk_name = model._meta.pk.attname
        for obj, pk in zip(objects, self._reserve_ids(model, len(objects)), strict=True):
            obj.__dict__[pk_name] = pk
        with self.connection.cursor() as cursor:
            for start in range(0, len(objects), self.batch_size):
                rows = plan.rows(objects[start : start + self.batch_size])
                if self.connection.vendor == "postgresql":
                    # COPY streams the rows; psycopg adapts the values in C.
                    with cursor.cursor.copy(plan.copy_sql) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(plan.sql, rows)

    def _reserve_ids(self, model: type[Model], count: int) -> Sequence[int]:
        # The sequence looked up once, the keys sent back as runs (see ``reserve_ids``):
        # ``pg_get_serial_sequence`` per key was most of the time of reserving them.
        return reserve_ids(model, count, using=self.connection.alias)


class _InsertPlan:
    """The INSERT statement of one model and how to turn an instance into its row.

    Columns whose Python value the driver takes as is are read in one ``attrgetter`` call;
    the others (dates, decimals, UUIDs, timestamps) go through the backend's adapters.
    """

    def __init__(self, model: type[Model], inserter: BulkInserter):
        connection = inserter.connection
        ops = connection.ops
        plain, converted = [], []
        self.relations = [(f.attname, f.name) for f in model._meta.concrete_fields if f.is_relation]
        for field in model._meta.concrete_fields:
            converter = self._converter(field, inserter)
            (converted if converter else plain).append((field, converter))
        self.read_plain = attrgetter(*[field.attname for field, _ in plain]) if plain else None
        self.converters = [converter for _, converter in converted]
        columns = ", ".join(ops.quote_name(field.column) for field, _ in plain + converted)
        placeholders = ", ".join(["%s"] * (len(plain) + len(converted)))
        table = ops.quote_name(model._meta.db_table)
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.single_plain = len(plain) == 1
        # Defaults for rows given as values: constants, and callables (UUIDs) called per row.
        self.static_defaults, self.default_factories = {}, {}
        for field in model._meta.concrete_fields:
            if field.has_default() and callable(field.default):
                self.default_factories[field.attname] = field.default
            elif not field.primary_key:
                self.static_defaults[field.attname] = field.get_default()

    @staticmethod
    def _converter(field, inserter: BulkInserter) -> Callable | None:
        connection, ops, attname = inserter.connection, inserter.connection.ops, field.attname
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value, now = ops.adapt_datetimefield_value(inserter.now), inserter.now

            keep_given = getattr(field, "auto_now_add", False)

            def timestamp(obj):
                # A creation date the caller set (a generated history's) is kept; Django's
                # bulk_create would overwrite it, as it does for a form's object.
                given = obj.__dict__.get(attname)
                if keep_given and given is not None:
                    return ops.adapt_datetimefield_value(given)
                obj.__dict__[attname] = now
                return value

            return timestamp
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            return lambda obj: ops.adapt_datetimefield_value(obj.__dict__[attname])
        if kind == "DateField":
            return lambda obj: ops.adapt_datefield_value(obj.__dict__[attname])
        if kind == "DecimalField":
            return lambda obj: ops.adapt_decimalfield_value(obj.__dict__[attname])
        if kind == "UUIDField":
            if connection.features.has_native_uuid_field:
                return None
            return lambda obj: obj.__dict__[attname].hex
        if kind in {
            "JSONField",
            "TimeField",
            "DurationField",
            "BinaryField",
            "GenericIPAddressField",
        }:
            return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
        return None

    def link_parents(self, objects: Sequence[Model]) -> None:
        """Copy into each foreign key the key its parent was given after being assigned."""
        for attname, name in self.relations:
            for obj in objects:
                if obj.__dict__.get(attname) is None:
                    parent = obj._state.fields_cache.get(name)
                    if parent is not None:
                        # Through __dict__: the descriptor would drop the cached parent.
                        obj.__dict__[attname] = parent.pk

    def rows(self, objects: Sequence[Model]) -> list[tuple]:
        read_plain, converters = self.read_plain, self.converters
        if read_plain is None:
            return [tuple([convert(obj) for convert in converters]) for obj in objects]
        if self.single_plain:
            return [(read_plain(obj), *[convert(obj) for convert in converters]) for obj in objects]
        return [
            read_plain(obj) + tuple([convert(obj) for convert in converters]) for obj in objects
        ]
