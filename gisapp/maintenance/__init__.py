"""Co-manage (建设共管): facilities, their maintenance log, volunteer stewards, coverage by area.

- ``models``: facility types, facilities, the log, stewards, photos, and the trigger-kept facts
- ``status``: ok / due / overdue / out of service from the history and today's date
- ``intake``, ``logbook``, ``registry``, ``stewards``: checking and writing (API and pages)
- ``coverage``, ``queries``, ``series``: per-area figures, lists, the 12-month series
- ``exports``, ``labels``, ``chart``, ``mapping``: CSV/GeoPackage, QR label sheets, SVG chart,
  the managers' map
- ``views`` (facility pages, ``/f/<code>``), ``manager_views`` (``/manager``)
"""
