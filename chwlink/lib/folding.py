"""Accent- and case-blind text in PostgreSQL: ``chwlink_fold(text)``.

"Hernandez, Maria" must find "Hernández, María". PostgreSQL's ``unaccent`` is only
STABLE (its dictionary could be changed), so no index may hold it; the wrapper
created by ``referrals`` migration 0015 is IMMUTABLE, names the dictionary with its
schema (so a restore with an empty ``search_path`` still finds it) and lower-cases
the result. Queries and indexes use the same expression, ``Folded(...)``, so the
planner matches them.
"""

from django.db.models import Func, TextField, Value

FOLD_FUNCTION = "chwlink_fold"

# The wrapper calls unaccent in whatever schema the extension was created in.
CREATE_FOLD_FUNCTION = """
DO $create$
DECLARE
    unaccent_schema text;
BEGIN
    SELECT namespace.nspname INTO unaccent_schema
    FROM pg_extension extension
    JOIN pg_namespace namespace ON namespace.oid = extension.extnamespace
    WHERE extension.extname = 'unaccent';
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION chwlink_fold(text) RETURNS text '
        'LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE '
        'AS $fold$ SELECT pg_catalog.lower(%1$I.unaccent(%2$L::regdictionary, $1)) '
        '$fold$',
        unaccent_schema,
        quote_ident(unaccent_schema) || '.unaccent'
    );
END
$create$;
"""
DROP_FOLD_FUNCTION = "DROP FUNCTION IF EXISTS chwlink_fold(text)"


class Folded(Func):
    """The text in lower case without accents (``chwlink_fold``)."""

    function = FOLD_FUNCTION
    arity = 1
    output_field = TextField()


def folded_value(text: str) -> Folded:
    """Typed text folded by the database, exactly as the stored names are."""
    return Folded(Value(text, output_field=TextField()))
