"""The seeded feature flags and settings give their screens real work: every flag state, readable
segments, sensitive flags, and a sensitive change waiting that can really be carried out."""

from __future__ import annotations

from sqlalchemy import select

from mallconsole.extensions import db
from mallconsole.models import AdminAction, FeatureFlag, utcnow
from mallconsole.services.admin import flags


def test_every_flag_state_is_seeded_and_segments_read(seeded):
    app = seeded[0]
    with app.app_context():
        rows = db.session.scalars(select(FeatureFlag)).all()
        now = utcnow()
        assert {flags.state_of(f, now).key for f in rows} == set(flags.STATES)
        for flag in rows:
            flags.clean(flags.values_of(flag))  # nothing seeded breaks the edit form's rules
            if flag.segment:
                assert flags.parse_segment(flag.segment)
        assert {f.code for f in rows if f.sensitive} == set(
            ("payouts.instant", "payments.strong_authentication")
        )
        db.session.remove()


def test_the_waiting_flag_change_matches_the_flag(seeded):
    app = seeded[0]
    with app.app_context():
        action = db.session.scalars(
            select(AdminAction).where(
                AdminAction.action_name == "change_flag", AdminAction.status == "pending"
            )
        ).one()
        flag = db.session.get(FeatureFlag, action.target_entity_id)
        assert flag.sensitive
        for name, value in action.payload["before"].items():
            assert getattr(flag, name) == value  # so approving it carries it out
        db.session.remove()


def test_every_seeded_setting_fits_the_configuration_editor(seeded):
    """Saving any seeded setting unchanged passes the editor's checks (key, scope, value)."""
    from mallconsole.models import Configuration
    from mallconsole.services.admin import configuration

    app = seeded[0]
    with app.app_context():
        rows = db.session.scalars(select(Configuration)).all()
        assert any(configuration.is_sensitive(r.key) for r in rows)
        assert any(r.scope for r in rows)
        for row in rows:
            assert configuration.clean_key(row.key) == row.key
            assert configuration.clean_scope(db.session, row.scope) == row.scope
            assert configuration._clean_value(row.key, row.value) == row.value
        history = [configuration.history(db.session, r) for r in rows]
        assert any(h for h in history), "a setting with history to revert"
        db.session.remove()


def test_an_archived_flag_is_seeded_off_with_its_history(seeded):
    app = seeded[0]
    with app.app_context():
        archived = db.session.scalars(
            select(FeatureFlag).where(FeatureFlag.deleted_at.is_not(None))
        ).all()
        assert [f.code for f in archived] == ["catalog.legacy_category_menu"]
        flag = archived[0]
        assert flags.evaluate(flag, "c-1", {}, utcnow()).enabled is False
        entries = flags.history(db.session, flag)
        assert entries[0].event.action == "flag.archived"
        assert entries[0].event.created_at <= utcnow()
        assert flags.count_flags(db.session, {"state": "archived"}).value == 1
        db.session.remove()
