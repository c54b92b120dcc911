import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE","chwlink.settings")
django.setup()
from django.conf import settings
settings.ALLOWED_HOSTS=["*"]
from django.test import Client
from django.urls import reverse
from partners.models import User
from pyinstrument import Profiler
user = User.objects.get(pk=int(sys.argv[1]))
url = sys.argv[2]
c = Client()
c.force_login(user)
for _ in range(3): c.get(url)
p = Profiler(interval=0.0005)
p.start()
for _ in range(20): r = c.get(url)
p.stop()
print(r.status_code)
print(p.output_text(unicode=False, color=False, show_all=True))
