"""Test factories: ``records.build`` for any table, ``actors`` for staff and customers."""
