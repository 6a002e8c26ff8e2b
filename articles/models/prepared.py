"""Reader queries compiled to SQL once per process, then run with new values.

Building a queryset and compiling it to SQL costs more Python time than PostgreSQL takes
to answer it (an article page: about 2.8 ms of ORM work for 0.7 ms in the database). A
reader page asks the same few questions with different values (this slug, this section,
now), so each question is compiled once, and later calls only put their values into the
compiled SQL's parameters. Rows still come back through Django's own machinery (model
instances, select_related, annotations and their converters), so a prepared query returns
exactly what the queryset would.

A ``Prepared`` is made from a function that builds the queryset from keyword values::

    detail = Prepared(lambda now, slug: Article.objects.published(at=now).filter(slug=slug))
    rows = detail.fetch(now=timezone.now(), slug="inside-mistral")

When it is first used, the function is called with the given values and once more for each
value changed; the compiled SQL must be the same each time, and each value must land in
its own parameters, unchanged or as the database adapts a datetime. Anything else (a list
whose length shapes the SQL, a value wrapped by a lookup such as ``icontains``) cannot be
bound safely: that query is then simply built and run by the ORM every time, and
``is_prepared`` says so. Values that change the SQL on purpose (a page's offset, a count)
are passed as ``shape``: each shape is compiled once, and the ``MAX_SHAPES`` most
recently used are kept. A compiled query holds 25-50 KB (its queryset, compiler and
expressions), and a shape is a page's offset, which anyone can type (``?page=N``, even past
the last page), so a larger bound let one crawler add megabytes to every worker; a shape
compiled again costs a few milliseconds, once.

``around`` turns the compiled SQL into the SQL that is run, given the shape: a query the
ORM cannot express, such as one that selects from the compiled query as a derived table
(search ranks its newest matches, then orders those by rank). It keeps the compiled
query's columns, so the rows come back through the queryset as usual.

On PostgreSQL the server may also keep its plan for a query it has been sent several
times (settings: DATABASE_PREPARED_STATEMENTS); ``server_prepared=False`` asks it to plan
that query for its values every time instead.
"""

import copy
import datetime
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

MAX_SHAPES = 16


class CannotPrepare(Exception):
    """The query's SQL depends on a value in a way that cannot be bound safely."""


def _variant(value: Any) -> Any:
    """A different value of the same kind, to see where ``value`` lands in the SQL."""
    if isinstance(value, bool):
        raise CannotPrepare("a boolean can change the SQL; pass it as shape")
    if isinstance(value, datetime.datetime):
        return value + datetime.timedelta(days=1, microseconds=1)
    if isinstance(value, int):
        return value + 1_000_000_007
    if isinstance(value, str):
        return value + "\x1fvariant"
    if isinstance(value, list) and value and all(type(item) is int for item in value):
        return [item + 1_000_000_007 for item in value]  # one array parameter, or several
    raise CannotPrepare(f"values of type {type(value).__name__} are not bound")


def _adapter(connection, value: Any, compiled: Any) -> Callable[[Any], Any]:
    """How the ORM turned ``value`` into the parameter ``compiled``."""
    if compiled == value and type(compiled) is type(value):
        return _same
    if isinstance(value, datetime.datetime) and compiled == (
        connection.ops.adapt_datetimefield_value(value)
    ):
        return connection.ops.adapt_datetimefield_value
    raise CannotPrepare(f"{value!r} was passed to the database as {compiled!r}")


def _same(value: Any) -> Any:
    return value


class _Plan:
    """One compiled query: its SQL, its parameters, and where each value goes."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: tuple, slots: list):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # (parameter index, value name, adapter)
        # How each column is converted from the database's value: the same for every run
        # of this SQL on this database, so worked out once.
        self.converters: dict[tuple, dict] = {}

    def bind(self, connection, values: dict) -> QuerySet:
        params = list(self.params)
        for index, name, adapt in self.slots:
            params[index] = adapt(values[name])
        compiled = (self.sql, tuple(params))
        compiler = copy.copy(self.compiler)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: compiled
        # Worked out by the plan's own compiler (converters read only the connection's
        # backend): one bound to this copy would be a reference cycle through the copy,
        # and every page's rows would wait for the cyclic garbage collector.
        compiler.get_converters = self._get_converters
        # Shallow copies: the compiled SQL stands in for the query's tree, so the tree is
        # neither cloned (QuerySet._chain deep-copies its conditions) nor changed.
        query = _shallow_copy(self.queryset.query)
        query.get_compiler = lambda *args, **kwargs: compiler
        queryset = _shallow_copy(self.queryset)
        queryset.query = query
        # QuerySet.query's setter takes a query with values() for a values() queryset.
        queryset._iterable_class = self.queryset._iterable_class
        return queryset

    def _get_converters(self, expressions):
        key = tuple(map(id, expressions))  # the plan keeps the expressions alive
        found = self.converters.get(key)
        if found is None:
            found = self.converters[key] = self.compiler.get_converters(expressions)
        return found


def _shallow_copy(obj):
    """A new object with ``obj``'s attributes (copy.copy would pickle a QuerySet's state,
    which runs its query). The plan's queryset is never run, so a copy has no rows yet."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _compile(queryset: QuerySet):
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    return compiler, sql, tuple(params)


@contextmanager
def _plan_each_time(connection):
    """PostgreSQL plans this query for its values each time, where a generic plan would
    be poor: how many rows a search term matches decides whether an index on the words or
    on the dates is the better way in. The values are bound into the SQL on the client
    (psycopg's ClientCursor), so the server neither prepares the statement nor, with
    plan_cache_mode=force_generic_plan (settings.py), plans it without its values."""
    from django.db.backends.postgresql.base import Cursor as ClientBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    previous = getattr(raw, "prepare_threshold", None), raw.cursor_factory
    raw.prepare_threshold = None
    raw.cursor_factory = ClientBindingCursor
    try:
        yield
    finally:
        raw.prepare_threshold, raw.cursor_factory = previous


class Prepared:
    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        server_prepared: bool = True,
        around: Callable[..., str] | None = None,
    ):
        self.build = build
        self.server_prepared = server_prepared
        self.around = around
        self._plans: OrderedDict[tuple, _Plan | None] = OrderedDict()
        self._lock = threading.Lock()

    def fetch(self, *shape: Hashable, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """The query's rows for these values (model instances, or what values() gives)."""
        connection = connections[using]
        key = (using, connection.vendor, shape, tuple(values))
        plan = self._plans.get(key, False)
        if plan is False:
            plan = self._prepare(connection, shape, values)
            with self._lock:
                self._plans[key] = plan
                while len(self._plans) > MAX_SHAPES:
                    self._plans.popitem(last=False)
        elif len(self._plans) > 1:
            with self._lock, suppress(KeyError):  # another thread may have let it go
                self._plans.move_to_end(key)
        if self.server_prepared or connection.vendor != "postgresql":
            return self._run(plan, connection, shape, values)
        with _plan_each_time(connection):
            return self._run(plan, connection, shape, values)

    def _run(self, plan: _Plan | None, connection, shape: tuple, values: dict) -> list:
        if plan is None:
            queryset = self.build(*shape, **values).using(connection.alias)
            if self.around is None:
                return list(queryset)
            compiler, sql, params = _compile(queryset)
            plan = _Plan(queryset, compiler, self.around(sql, *shape), params, [])
            return list(plan.bind(connection, {}))
        return list(plan.bind(connection, values))

    def is_prepared(self, *shape: Hashable, using: str = DEFAULT_DB_ALIAS, **values) -> bool:
        """Whether these values' query runs from compiled SQL (for tests and checks)."""
        connection = connections[using]
        return self._prepare(connection, shape, values) is not None

    def _prepare(self, connection, shape: tuple, values: dict) -> _Plan | None:
        queryset = self.build(*shape, **values).using(connection.alias)
        compiler, sql, params = _compile(queryset)
        slots = []
        try:
            for name, value in values.items():
                other = _variant(value)
                _, other_sql, other_params = _compile(
                    self.build(*shape, **{**values, name: other}).using(connection.alias)
                )
                if other_sql != sql or len(other_params) != len(params):
                    raise CannotPrepare(f"the SQL changes with {name}")
                moved = [
                    i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b
                ]
                if not moved:
                    raise CannotPrepare(f"{name} is not a parameter of the SQL")
                for index in moved:
                    adapt = _adapter(connection, value, params[index])
                    if adapt(other) != other_params[index]:
                        raise CannotPrepare(f"{name} is not passed through unchanged")
                    slots.append((index, name, adapt))
        except CannotPrepare:
            return None
        if self.around is not None:
            sql = self.around(sql, *shape)
        return _Plan(queryset, compiler, sql, params, slots)
