from django.contrib import admin

from xiaotu.schools.models import ClosedDay, Library, Location, Term

admin.site.register(Library)
admin.site.register(Location, list_display=["name", "code", "library"])
admin.site.register(Term, list_display=["name", "starts_on", "ends_on", "library"])
admin.site.register(ClosedDay, list_display=["date", "reason", "library"])
