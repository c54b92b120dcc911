import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE","chwlink.settings")
django.setup()
from partners.models import User
from referrals import selectors
from django.db import connection
def explain(qs, label):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as c:
        c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        rows=[r[0] for r in c.fetchall()]
    print("=====", label); print("\n".join(rows[:30]))
sup = User.objects.get(pk=1368)
explain(selectors.pathways_awaiting_approval(user=sup).order_by()[:2501].values("pk"), "approvals count")
explain(selectors.inbox_for_supervisor(user=sup, filters={}, cutoffs=selectors.overdue_cutoffs_for_user(sup))[:25], "inbox")
