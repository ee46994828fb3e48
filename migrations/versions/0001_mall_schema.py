"""The mall schema: the 95 tables of the seed plus wallet, sale statistics and sequences.

Revision ID: 0001
Revises:
Create Date: 2026-11-22

Hand-written parts (after the generated tables): the product rating roll-up, a materialized
view on PostgreSQL and a plain table on SQLite, and the append-only trigger of the audit table.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shopping_mall_brands',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('slug', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('website', sa.String(length=80000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_brands')),
    sa.UniqueConstraint('name', name=op.f('uq_brands_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_brands_slug'))
    )
    op.create_table('shopping_mall_carriers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('tracking_url_template', sa.String(length=80000), nullable=True),
    sa.Column('phone', sa.String(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_carriers')),
    sa.UniqueConstraint('code', name=op.f('uq_carriers_code'))
    )
    op.create_table('shopping_mall_categories',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('parent_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('slug', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('display_order', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['shopping_mall_categories.id'], name=op.f('fk_categories_parent_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_categories'))
    )
    with op.batch_alter_table('shopping_mall_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_categories_status'), ['status'], unique=False)
        batch_op.create_index('uq_categories_parent_id_name', ['parent_id', 'name'], unique=True, sqlite_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.create_index('uq_categories_parent_id_slug', ['parent_id', 'slug'], unique=True, sqlite_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.create_index('uq_categories_root_name', ['name'], unique=True, sqlite_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'))
        batch_op.create_index('uq_categories_root_slug', ['slug'], unique=True, sqlite_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'))

    op.create_table('shopping_mall_configurations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('value', sa.String(), nullable=False),
    sa.Column('scope', sa.String(), nullable=True),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_configurations'))
    )
    with op.batch_alter_table('shopping_mall_configurations', schema=None) as batch_op:
        batch_op.create_index('uq_configurations_root_key', ['key'], unique=True, sqlite_where=sa.text('scope IS NULL AND deleted_at IS NULL'), postgresql_where=sa.text('scope IS NULL AND deleted_at IS NULL'))
        batch_op.create_index('uq_configurations_scope_key', ['scope', 'key'], unique=True, sqlite_where=sa.text('scope IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('scope IS NOT NULL AND deleted_at IS NULL'))

    op.create_table('shopping_mall_feature_flags',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('rollout_percentage', sa.Integer(), nullable=True),
    sa.Column('segment', sa.String(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_feature_flags')),
    sa.UniqueConstraint('code', name=op.f('uq_feature_flags_code'))
    )
    op.create_table('shopping_mall_locales',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('native_name', sa.String(), nullable=True),
    sa.Column('rtl', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_locales')),
    sa.UniqueConstraint('code', name=op.f('uq_locales_code'))
    )
    op.create_table('shopping_mall_number_sequences',
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'day', name=op.f('pk_shopping_mall_number_sequences'))
    )
    op.create_table('shopping_mall_option_types',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_option_types')),
    sa.UniqueConstraint('code', name=op.f('uq_option_types_code'))
    )
    op.create_table('shopping_mall_order_sequences',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sequence_yyyymmdd', sa.String(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_order_sequences')),
    sa.UniqueConstraint('sequence_yyyymmdd', name=op.f('uq_order_sequences_sequence_yyyymmdd'))
    )
    op.create_table('shopping_mall_policies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('category', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_policies')),
    sa.UniqueConstraint('code', name=op.f('uq_policies_code'))
    )
    with op.batch_alter_table('shopping_mall_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policies_status'), ['status'], unique=False)

    op.create_table('shopping_mall_promotions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('auto_apply', sa.Boolean(), nullable=False),
    sa.Column('discount_type', sa.String(), nullable=False),
    sa.Column('discount_percentage', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('discount_amount', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('currency', sa.String(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_redemptions_total', sa.Integer(), nullable=True),
    sa.Column('max_redemptions_per_customer', sa.Integer(), nullable=True),
    sa.Column('initial_quantity', sa.Integer(), nullable=True),
    sa.Column('remaining_quantity', sa.Integer(), nullable=True),
    sa.Column('max_discount_amount', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('remaining_quantity >= 0 AND remaining_quantity <= initial_quantity', name=op.f('ck_shopping_mall_promotions_ck_promotions_issue_quantity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_promotions'))
    )
    with op.batch_alter_table('shopping_mall_promotions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotions_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotions_status'), ['status'], unique=False)

    op.create_table('shopping_mall_sign_in_attempts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('email_key', sa.String(), nullable=False),
    sa.Column('client_ip', sa.String(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_sign_in_attempts'))
    )
    with op.batch_alter_table('shopping_mall_sign_in_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_attempts_client_ip_at', ['client_ip', 'attempted_at'], unique=False)
        batch_op.create_index('ix_sign_in_attempts_email_key_at', ['email_key', 'attempted_at'], unique=False)

    op.create_table('shopping_mall_users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('email_verified', sa.Boolean(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mfa_enabled', sa.Boolean(), nullable=False),
    sa.Column('mfa_method', sa.String(), nullable=True),
    sa.Column('mfa_secret_encrypted', sa.String(), nullable=True),
    sa.Column('mfa_backup_codes_encrypted', sa.String(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('nickname', sa.String(), nullable=True),
    sa.Column('phone', sa.String(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lockout_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('shopping_mall_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_status'), ['status'], unique=False)

    op.create_table('shopping_mall_admin_actions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('requested_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('performed_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('idempotency_key', sa.String(), nullable=False),
    sa.Column('action_name', sa.String(), nullable=False),
    sa.Column('target_entity_table', sa.String(), nullable=False),
    sa.Column('target_entity_id', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('justification', sa.String(), nullable=True),
    sa.Column('rejection_reason', sa.String(), nullable=True),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['performed_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_admin_actions_performed_by_user_id')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_admin_actions_requested_by_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_admin_actions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_admin_actions_idempotency_key'))
    )
    with op.batch_alter_table('shopping_mall_admin_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_actions_performed_by_user_id'), ['performed_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_actions_requested_by_user_id'), ['requested_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_actions_status'), ['status'], unique=False)

    op.create_table('shopping_mall_consents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_consents_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_consents')),
    sa.UniqueConstraint('shopping_mall_user_id', 'scope', name='uq_consents_user_scope')
    )
    with op.batch_alter_table('shopping_mall_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_contentmoderator',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_contentmoderator_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_contentmoderator_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_contentmoderator')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_contentmoderator_user_id'))
    )
    with op.batch_alter_table('shopping_mall_contentmoderator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contentmoderator_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_customer',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_customer_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_customer_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_customer')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_customer_user_id'))
    )
    with op.batch_alter_table('shopping_mall_customer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_data_exports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('requested_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('approved_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('request_number', sa.String(), nullable=False),
    sa.Column('purpose', sa.String(), nullable=False),
    sa.Column('scope_description', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('justification', sa.String(), nullable=True),
    sa.Column('delivery_channel', sa.String(), nullable=True),
    sa.Column('file_uri', sa.String(length=80000), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_data_exports_approved_by_user_id')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_data_exports_requested_by_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_data_exports')),
    sa.UniqueConstraint('request_number', name=op.f('uq_data_exports_request_number'))
    )
    with op.batch_alter_table('shopping_mall_data_exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_exports_approved_by_user_id'), ['approved_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_requested_by_user_id'), ['requested_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_exports_status'), ['status'], unique=False)

    op.create_table('shopping_mall_financemanager',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_financemanager_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_financemanager_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_financemanager')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_financemanager_user_id'))
    )
    with op.batch_alter_table('shopping_mall_financemanager', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_financemanager_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_guest',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_guest_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_guest_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_guest')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_guest_user_id'))
    )
    with op.batch_alter_table('shopping_mall_guest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_operationsmanager',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_operationsmanager_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_operationsmanager_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_operationsmanager')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_operationsmanager_user_id'))
    )
    with op.batch_alter_table('shopping_mall_operationsmanager', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operationsmanager_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_option_values',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_option_type_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('value', sa.String(), nullable=False),
    sa.Column('hex_color', sa.String(), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_option_type_id'], ['shopping_mall_option_types.id'], name=op.f('fk_option_values_option_type_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_option_values')),
    sa.UniqueConstraint('shopping_mall_option_type_id', 'code', name='uq_option_values_code')
    )
    with op.batch_alter_table('shopping_mall_option_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_option_values_option_type_id'), ['shopping_mall_option_type_id'], unique=False)

    op.create_table('shopping_mall_policy_versions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_policy_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.String(), nullable=False),
    sa.Column('effective_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('change_notes', sa.String(), nullable=True),
    sa.Column('approved', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_policy_id'], ['shopping_mall_policies.id'], name=op.f('fk_policy_versions_policy_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_policy_versions')),
    sa.UniqueConstraint('shopping_mall_policy_id', 'version', name='uq_policy_versions_version')
    )
    with op.batch_alter_table('shopping_mall_policy_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_versions_policy_id'), ['shopping_mall_policy_id'], unique=False)

    op.create_table('shopping_mall_risk_rules',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('updated_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('condition', sa.String(), nullable=False),
    sa.Column('decision', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_risk_rules_created_by_user_id')),
    sa.ForeignKeyConstraint(['updated_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_risk_rules_updated_by_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_risk_rules')),
    sa.UniqueConstraint('code', name=op.f('uq_risk_rules_code'))
    )
    with op.batch_alter_table('shopping_mall_risk_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_rules_created_by_user_id'), ['created_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_rules_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_rules_updated_by_user_id'), ['updated_by_user_id'], unique=False)

    op.create_table('shopping_mall_seller',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_seller_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_seller_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_seller_user_id'))
    )
    with op.batch_alter_table('shopping_mall_seller', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_sellers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('seller_code', sa.String(), nullable=False),
    sa.Column('display_name', sa.String(), nullable=False),
    sa.Column('contact_email', sa.String(), nullable=True),
    sa.Column('contact_phone', sa.String(), nullable=True),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('default_locale', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_sellers_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_sellers')),
    sa.UniqueConstraint('seller_code', name=op.f('uq_sellers_seller_code')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_sellers_user_id'))
    )
    with op.batch_alter_table('shopping_mall_sellers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sellers_state'), ['state'], unique=False)

    op.create_table('shopping_mall_supportagent',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_supportagent_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_supportagent_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_supportagent')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_supportagent_user_id'))
    )
    with op.batch_alter_table('shopping_mall_supportagent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supportagent_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_systemadmin',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('granted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_systemadmin_granted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_systemadmin_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_systemadmin')),
    sa.UniqueConstraint('shopping_mall_user_id', name=op.f('uq_systemadmin_user_id'))
    )
    with op.batch_alter_table('shopping_mall_systemadmin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_systemadmin_granted_by_user_id'), ['granted_by_user_id'], unique=False)

    op.create_table('shopping_mall_user_addresses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(), nullable=False),
    sa.Column('recipient', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=False),
    sa.Column('country', sa.String(), nullable=False),
    sa.Column('region', sa.String(), nullable=True),
    sa.Column('city', sa.String(), nullable=False),
    sa.Column('postal_code', sa.String(), nullable=False),
    sa.Column('address_line1', sa.String(), nullable=False),
    sa.Column('address_line2', sa.String(), nullable=True),
    sa.Column('default_shipping', sa.Boolean(), nullable=False),
    sa.Column('default_billing', sa.Boolean(), nullable=False),
    sa.Column('serviceable', sa.Boolean(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_user_addresses_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_user_addresses'))
    )
    with op.batch_alter_table('shopping_mall_user_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_addresses_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_user_balances',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('balance', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_shopping_mall_user_balances_balance_not_negative')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_user_balances_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_user_balances')),
    sa.UniqueConstraint('shopping_mall_user_id', 'currency', name='uq_user_balances_currency')
    )
    with op.batch_alter_table('shopping_mall_user_balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_balances_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_user_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('refresh_token_hash', sa.String(), nullable=False),
    sa.Column('user_agent', sa.String(), nullable=True),
    sa.Column('ip', sa.String(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_accessed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_user_sessions_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_user_sessions')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_user_sessions_refresh_token_hash'))
    )
    with op.batch_alter_table('shopping_mall_user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_audit_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_admin_action_id', sa.String(length=36), nullable=True),
    sa.Column('entity_table', sa.String(), nullable=False),
    sa.Column('entity_id', sa.String(), nullable=True),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('summary', sa.String(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('correlation_id', sa.String(), nullable=True),
    sa.Column('source_ip', sa.String(), nullable=True),
    sa.Column('user_agent', sa.String(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['shopping_mall_users.id'], name=op.f('fk_audit_events_actor_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_admin_action_id'], ['shopping_mall_admin_actions.id'], name=op.f('fk_audit_events_admin_action_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_audit_events'))
    )
    with op.batch_alter_table('shopping_mall_audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_admin_action_id'), ['shopping_mall_admin_action_id'], unique=False)

    op.create_table('shopping_mall_carts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_guest_id', sa.String(length=36), nullable=True),
    sa.Column('source_cart_id', sa.String(length=36), nullable=True),
    sa.Column('device_token', sa.String(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_recalculated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_guest_id'], ['shopping_mall_guest.id'], name=op.f('fk_carts_guest_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_carts_user_id')),
    sa.ForeignKeyConstraint(['source_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_carts_source_cart_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_carts'))
    )
    with op.batch_alter_table('shopping_mall_carts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carts_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_carts_guest_id'), ['shopping_mall_guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carts_source_cart_id'), ['source_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carts_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_coupons',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_promotion_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_customer_id', sa.String(length=36), nullable=True),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_redemptions_total', sa.Integer(), nullable=True),
    sa.Column('max_redemptions_per_customer', sa.Integer(), nullable=True),
    sa.Column('single_use', sa.Boolean(), nullable=False),
    sa.Column('one_per_order', sa.Boolean(), nullable=False),
    sa.Column('usable_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('usable_to', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_customer_id'], ['shopping_mall_customer.id'], name=op.f('fk_coupons_customer_id')),
    sa.ForeignKeyConstraint(['shopping_mall_promotion_id'], ['shopping_mall_promotions.id'], name=op.f('fk_coupons_promotion_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_coupons')),
    sa.UniqueConstraint('code', name=op.f('uq_coupons_code'))
    )
    with op.batch_alter_table('shopping_mall_coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coupons_customer_id'), ['shopping_mall_customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupons_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupons_promotion_id'), ['shopping_mall_promotion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupons_status'), ['status'], unique=False)

    op.create_table('shopping_mall_maker_checker_approvals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_admin_action_id', sa.String(length=36), nullable=False),
    sa.Column('approver_user_id', sa.String(length=36), nullable=False),
    sa.Column('decision', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approver_user_id'], ['shopping_mall_users.id'], name=op.f('fk_maker_checker_approvals_approver_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_admin_action_id'], ['shopping_mall_admin_actions.id'], name=op.f('fk_maker_checker_approvals_admin_action_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_maker_checker_approvals')),
    sa.UniqueConstraint('shopping_mall_admin_action_id', 'approver_user_id', name='uq_maker_checker_approvals_approver')
    )
    with op.batch_alter_table('shopping_mall_maker_checker_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maker_checker_approvals_admin_action_id'), ['shopping_mall_admin_action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maker_checker_approvals_approver_user_id'), ['approver_user_id'], unique=False)

    op.create_table('shopping_mall_orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_shipping_address_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_billing_address_id', sa.String(length=36), nullable=True),
    sa.Column('order_number', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('business_status', sa.String(), nullable=True),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('discount_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('shipping_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('duty_total', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('grand_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipping_recipient', sa.String(), nullable=False),
    sa.Column('shipping_phone', sa.String(), nullable=False),
    sa.Column('shipping_address_line1', sa.String(), nullable=False),
    sa.Column('shipping_address_line2', sa.String(), nullable=True),
    sa.Column('shipping_city', sa.String(), nullable=False),
    sa.Column('shipping_region', sa.String(), nullable=True),
    sa.Column('shipping_postal_code', sa.String(), nullable=False),
    sa.Column('shipping_country', sa.String(), nullable=False),
    sa.Column('billing_recipient', sa.String(), nullable=True),
    sa.Column('billing_phone', sa.String(), nullable=True),
    sa.Column('billing_address_line1', sa.String(), nullable=True),
    sa.Column('billing_address_line2', sa.String(), nullable=True),
    sa.Column('billing_city', sa.String(), nullable=True),
    sa.Column('billing_region', sa.String(), nullable=True),
    sa.Column('billing_postal_code', sa.String(), nullable=True),
    sa.Column('billing_country', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_billing_address_id'], ['shopping_mall_user_addresses.id'], name=op.f('fk_orders_billing_address_id')),
    sa.ForeignKeyConstraint(['shopping_mall_shipping_address_id'], ['shopping_mall_user_addresses.id'], name=op.f('fk_orders_shipping_address_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_orders_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_orders')),
    sa.UniqueConstraint('order_number', name=op.f('uq_orders_order_number'))
    )
    with op.batch_alter_table('shopping_mall_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_billing_address_id'), ['shopping_mall_billing_address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_placed_at'), ['placed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_shipping_address_id'), ['shopping_mall_shipping_address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_payment_methods',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_address_id', sa.String(length=36), nullable=True),
    sa.Column('method_type', sa.String(), nullable=False),
    sa.Column('display_name', sa.String(), nullable=True),
    sa.Column('last4', sa.String(), nullable=True),
    sa.Column('exp_month', sa.Integer(), nullable=True),
    sa.Column('exp_year', sa.Integer(), nullable=True),
    sa.Column('fingerprint', sa.String(), nullable=True),
    sa.Column('provider_reference', sa.String(), nullable=False),
    sa.Column('default_method', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_user_address_id'], ['shopping_mall_user_addresses.id'], name=op.f('fk_payment_methods_user_address_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_payment_methods_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payment_methods')),
    sa.UniqueConstraint('provider_reference', name=op.f('uq_payment_methods_provider_reference')),
    sa.UniqueConstraint('shopping_mall_user_id', 'fingerprint', name='uq_payment_methods_fingerprint')
    )
    with op.batch_alter_table('shopping_mall_payment_methods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_methods_user_address_id'), ['shopping_mall_user_address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_methods_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_seller_payout_accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('external_reference', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('account_holder_name', sa.String(), nullable=False),
    sa.Column('bank_name', sa.String(), nullable=True),
    sa.Column('account_number_masked', sa.String(), nullable=False),
    sa.Column('routing_number_masked', sa.String(), nullable=True),
    sa.Column('country_code', sa.String(), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_seller_payout_accounts_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller_payout_accounts')),
    sa.UniqueConstraint('external_reference', name=op.f('uq_seller_payout_accounts_external_reference'))
    )
    with op.batch_alter_table('shopping_mall_seller_payout_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_payout_accounts_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_payout_accounts_status'), ['status'], unique=False)

    op.create_table('shopping_mall_seller_verifications',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('approved_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('case_reference', sa.String(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('kyc_level', sa.String(), nullable=True),
    sa.Column('documents_uri', sa.String(length=80000), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_seller_verifications_approved_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_seller_verifications_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller_verifications')),
    sa.UniqueConstraint('case_reference', name=op.f('uq_seller_verifications_case_reference'))
    )
    with op.batch_alter_table('shopping_mall_seller_verifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_verifications_approved_by_user_id'), ['approved_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_verifications_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_verifications_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_verifications_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_verifications_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('shopping_mall_stores',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('store_code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('slug', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('support_email', sa.String(), nullable=True),
    sa.Column('support_phone', sa.String(), nullable=True),
    sa.Column('logo_uri', sa.String(length=80000), nullable=True),
    sa.Column('banner_uri', sa.String(length=80000), nullable=True),
    sa.Column('timezone', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_stores_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_stores')),
    sa.UniqueConstraint('slug', name=op.f('uq_stores_slug')),
    sa.UniqueConstraint('store_code', name=op.f('uq_stores_store_code'))
    )
    with op.batch_alter_table('shopping_mall_stores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stores_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stores_status'), ['status'], unique=False)

    op.create_table('shopping_mall_user_security_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_session_id', sa.String(length=36), nullable=True),
    sa.Column('event_type', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('ip', sa.String(), nullable=True),
    sa.Column('user_agent', sa.String(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_user_security_events_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_session_id'], ['shopping_mall_user_sessions.id'], name=op.f('fk_user_security_events_user_session_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_user_security_events'))
    )
    with op.batch_alter_table('shopping_mall_user_security_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_security_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_security_events_user_id'), ['shopping_mall_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_security_events_user_session_id'), ['shopping_mall_user_session_id'], unique=False)

    op.create_table('shopping_mall_wishlists',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_guest_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_guest_id'], ['shopping_mall_guest.id'], name=op.f('fk_wishlists_guest_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_wishlists_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_wishlists'))
    )
    with op.batch_alter_table('shopping_mall_wishlists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wishlists_guest_id'), ['shopping_mall_guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishlists_user_id'), ['shopping_mall_user_id'], unique=False)
        batch_op.create_index('uq_wishlists_guest_name', ['shopping_mall_guest_id', 'name'], unique=True, sqlite_where=sa.text('shopping_mall_guest_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('shopping_mall_guest_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.create_index('uq_wishlists_user_name', ['shopping_mall_user_id', 'name'], unique=True, sqlite_where=sa.text('shopping_mall_user_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('shopping_mall_user_id IS NOT NULL AND deleted_at IS NULL'))

    op.create_table('shopping_mall_abandoned_cart_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_cart_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(), nullable=False),
    sa.Column('reason_code', sa.String(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_abandoned_cart_events_cart_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_abandoned_cart_events'))
    )
    with op.batch_alter_table('shopping_mall_abandoned_cart_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_abandoned_cart_events_cart_id'), ['shopping_mall_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_abandoned_cart_events_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('shopping_mall_cancellation_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('requested_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('approved_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('cancellation_request_number', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('reason_code', sa.String(), nullable=False),
    sa.Column('reason_note', sa.String(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_cancellation_requests_approved_by_user_id')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_cancellation_requests_requested_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_cancellation_requests_order_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_cancellation_requests')),
    sa.UniqueConstraint('cancellation_request_number', name=op.f('uq_cancellation_requests_cancellation_request_number'))
    )
    with op.batch_alter_table('shopping_mall_cancellation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cancellation_requests_approved_by_user_id'), ['approved_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cancellation_requests_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cancellation_requests_requested_by_user_id'), ['requested_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cancellation_requests_status'), ['status'], unique=False)

    op.create_table('shopping_mall_cart_coupons',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_cart_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_coupon_id', sa.String(length=36), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_cart_coupons_cart_id')),
    sa.ForeignKeyConstraint(['shopping_mall_coupon_id'], ['shopping_mall_coupons.id'], name=op.f('fk_cart_coupons_coupon_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_cart_coupons')),
    sa.UniqueConstraint('shopping_mall_cart_id', 'shopping_mall_coupon_id', name='uq_cart_coupons_pair')
    )
    with op.batch_alter_table('shopping_mall_cart_coupons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_coupons_applied_at'), ['applied_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_coupons_cart_id'), ['shopping_mall_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_coupons_coupon_id'), ['shopping_mall_coupon_id'], unique=False)

    op.create_table('shopping_mall_coupon_redemptions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_coupon_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_customer_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_cart_id', sa.String(length=36), nullable=True),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amount_applied', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('currency', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_coupon_redemptions_cart_id')),
    sa.ForeignKeyConstraint(['shopping_mall_coupon_id'], ['shopping_mall_coupons.id'], name=op.f('fk_coupon_redemptions_coupon_id')),
    sa.ForeignKeyConstraint(['shopping_mall_customer_id'], ['shopping_mall_customer.id'], name=op.f('fk_coupon_redemptions_customer_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_coupon_redemptions_order_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_coupon_redemptions')),
    sa.UniqueConstraint('shopping_mall_coupon_id', 'shopping_mall_cart_id', name='uq_coupon_redemptions_cart'),
    sa.UniqueConstraint('shopping_mall_coupon_id', 'shopping_mall_order_id', name='uq_coupon_redemptions_order')
    )
    with op.batch_alter_table('shopping_mall_coupon_redemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coupon_redemptions_cart_id'), ['shopping_mall_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupon_redemptions_coupon_id'), ['shopping_mall_coupon_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupon_redemptions_customer_id'), ['shopping_mall_customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupon_redemptions_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupon_redemptions_redeemed_at'), ['redeemed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_coupon_redemptions_status'), ['status'], unique=False)

    op.create_table('shopping_mall_inventory_locations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_store_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('address', sa.String(), nullable=True),
    sa.Column('region', sa.String(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_store_id'], ['shopping_mall_stores.id'], name=op.f('fk_inventory_locations_store_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_inventory_locations')),
    sa.UniqueConstraint('shopping_mall_store_id', 'code', name='uq_inventory_locations_code')
    )
    with op.batch_alter_table('shopping_mall_inventory_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_locations_store_id'), ['shopping_mall_store_id'], unique=False)

    op.create_table('shopping_mall_order_status_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('triggered_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('business_status', sa.String(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_order_status_history_order_id')),
    sa.ForeignKeyConstraint(['triggered_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_order_status_history_triggered_by_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_order_status_history'))
    )
    with op.batch_alter_table('shopping_mall_order_status_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_status_history_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_status_history_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_status_history_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_status_history_triggered_by_user_id'), ['triggered_by_user_id'], unique=False)

    op.create_table('shopping_mall_payments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_method_id', sa.String(length=36), nullable=True),
    sa.Column('provider', sa.String(), nullable=False),
    sa.Column('method_type', sa.String(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('intent', sa.String(), nullable=False),
    sa.Column('idempotency_key', sa.String(), nullable=True),
    sa.Column('provider_payment_id', sa.String(), nullable=True),
    sa.Column('client_reference_id', sa.String(), nullable=True),
    sa.Column('requires_action', sa.Boolean(), nullable=False),
    sa.Column('failure_category', sa.String(), nullable=True),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_payments_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_method_id'], ['shopping_mall_payment_methods.id'], name=op.f('fk_payments_payment_method_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_payments_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payments')),
    sa.UniqueConstraint('client_reference_id', name=op.f('uq_payments_client_reference_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key')),
    sa.UniqueConstraint('provider_payment_id', name=op.f('uq_payments_provider_payment_id')),
    sa.UniqueConstraint('shopping_mall_order_id', name=op.f('uq_payments_order_id'))
    )
    with op.batch_alter_table('shopping_mall_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_payment_method_id'), ['shopping_mall_payment_method_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_payouts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_payout_account_id', sa.String(length=36), nullable=False),
    sa.Column('payout_number', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_for', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('gross_amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('fees_amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('reserve_withheld', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_payouts_seller_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_payout_account_id'], ['shopping_mall_seller_payout_accounts.id'], name=op.f('fk_payouts_seller_payout_account_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payouts')),
    sa.UniqueConstraint('payout_number', name=op.f('uq_payouts_payout_number'))
    )
    with op.batch_alter_table('shopping_mall_payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payouts_scheduled_for'), ['scheduled_for'], unique=False)
        batch_op.create_index(batch_op.f('ix_payouts_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payouts_seller_payout_account_id'), ['shopping_mall_seller_payout_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payouts_status'), ['status'], unique=False)

    op.create_table('shopping_mall_products',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_store_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_category_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_brand_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('slug', sa.String(), nullable=False),
    sa.Column('short_description', sa.String(), nullable=True),
    sa.Column('long_description', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_brand_id'], ['shopping_mall_brands.id'], name=op.f('fk_products_brand_id')),
    sa.ForeignKeyConstraint(['shopping_mall_category_id'], ['shopping_mall_categories.id'], name=op.f('fk_products_category_id')),
    sa.ForeignKeyConstraint(['shopping_mall_store_id'], ['shopping_mall_stores.id'], name=op.f('fk_products_store_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_products')),
    sa.UniqueConstraint('slug', name=op.f('uq_products_slug'))
    )
    with op.batch_alter_table('shopping_mall_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_brand_id'), ['shopping_mall_brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_category_id'), ['shopping_mall_category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_store_id'), ['shopping_mall_store_id'], unique=False)

    op.create_table('shopping_mall_seller_addresses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_store_id', sa.String(length=36), nullable=True),
    sa.Column('address_type', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=True),
    sa.Column('recipient', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=False),
    sa.Column('country_code', sa.String(), nullable=False),
    sa.Column('region', sa.String(), nullable=True),
    sa.Column('city', sa.String(), nullable=False),
    sa.Column('postal_code', sa.String(), nullable=True),
    sa.Column('address_line1', sa.String(), nullable=False),
    sa.Column('address_line2', sa.String(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_seller_addresses_seller_id')),
    sa.ForeignKeyConstraint(['shopping_mall_store_id'], ['shopping_mall_stores.id'], name=op.f('fk_seller_addresses_store_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller_addresses'))
    )
    with op.batch_alter_table('shopping_mall_seller_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_addresses_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_addresses_store_id'), ['shopping_mall_store_id'], unique=False)

    op.create_table('shopping_mall_seller_orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_store_id', sa.String(length=36), nullable=False),
    sa.Column('seller_order_number', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('subtotal', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('discount_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('shipping_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('duty_total', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('grand_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_seller_orders_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_store_id'], ['shopping_mall_stores.id'], name=op.f('fk_seller_orders_store_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller_orders')),
    sa.UniqueConstraint('seller_order_number', name=op.f('uq_seller_orders_seller_order_number')),
    sa.UniqueConstraint('shopping_mall_order_id', 'shopping_mall_store_id', name='uq_seller_orders_order_store')
    )
    with op.batch_alter_table('shopping_mall_seller_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_orders_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_orders_store_id'), ['shopping_mall_store_id'], unique=False)

    op.create_table('shopping_mall_shipments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_store_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_carrier_id', sa.String(length=36), nullable=True),
    sa.Column('shipment_number', sa.String(), nullable=False),
    sa.Column('tracking_number', sa.String(), nullable=True),
    sa.Column('tracking_url', sa.String(length=80000), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('ship_from_name', sa.String(), nullable=True),
    sa.Column('ship_from_phone', sa.String(), nullable=True),
    sa.Column('ship_from_address_line1', sa.String(), nullable=True),
    sa.Column('ship_from_address_line2', sa.String(), nullable=True),
    sa.Column('ship_from_city', sa.String(), nullable=True),
    sa.Column('ship_from_region', sa.String(), nullable=True),
    sa.Column('ship_from_postal_code', sa.String(), nullable=True),
    sa.Column('ship_from_country', sa.String(), nullable=True),
    sa.Column('ship_to_name', sa.String(), nullable=True),
    sa.Column('ship_to_phone', sa.String(), nullable=True),
    sa.Column('ship_to_address_line1', sa.String(), nullable=True),
    sa.Column('ship_to_address_line2', sa.String(), nullable=True),
    sa.Column('ship_to_city', sa.String(), nullable=True),
    sa.Column('ship_to_region', sa.String(), nullable=True),
    sa.Column('ship_to_postal_code', sa.String(), nullable=True),
    sa.Column('ship_to_country', sa.String(), nullable=True),
    sa.Column('label_created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('picked_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expected_delivery_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expected_delivery_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('weight_kg', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('package_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_carrier_id'], ['shopping_mall_carriers.id'], name=op.f('fk_shipments_carrier_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_shipments_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_store_id'], ['shopping_mall_stores.id'], name=op.f('fk_shipments_store_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_shipments')),
    sa.UniqueConstraint('shipment_number', name=op.f('uq_shipments_shipment_number'))
    )
    with op.batch_alter_table('shopping_mall_shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_carrier_id'), ['shopping_mall_carrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_store_id'), ['shopping_mall_store_id'], unique=False)

    op.create_table('shopping_mall_payment_authorizations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_id', sa.String(length=36), nullable=False),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('provider_reference', sa.String(), nullable=True),
    sa.Column('idempotency_key', sa.String(), nullable=True),
    sa.Column('authorized_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failure_category', sa.String(), nullable=True),
    sa.Column('step_up_required', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_payment_id'], ['shopping_mall_payments.id'], name=op.f('fk_payment_authorizations_payment_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payment_authorizations')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_authorizations_idempotency_key')),
    sa.UniqueConstraint('provider_reference', name=op.f('uq_payment_authorizations_provider_reference'))
    )
    with op.batch_alter_table('shopping_mall_payment_authorizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_authorizations_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_authorizations_payment_id'), ['shopping_mall_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_authorizations_status'), ['status'], unique=False)

    op.create_table('shopping_mall_payment_captures',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_shipment_id', sa.String(length=36), nullable=True),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('provider_reference', sa.String(), nullable=True),
    sa.Column('idempotency_key', sa.String(), nullable=True),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failure_category', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_payment_id'], ['shopping_mall_payments.id'], name=op.f('fk_payment_captures_payment_id')),
    sa.ForeignKeyConstraint(['shopping_mall_shipment_id'], ['shopping_mall_shipments.id'], name=op.f('fk_payment_captures_shipment_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payment_captures')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_captures_idempotency_key')),
    sa.UniqueConstraint('provider_reference', name=op.f('uq_payment_captures_provider_reference'))
    )
    with op.batch_alter_table('shopping_mall_payment_captures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_captures_payment_id'), ['shopping_mall_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_captures_shipment_id'), ['shopping_mall_shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_captures_status'), ['status'], unique=False)

    op.create_table('shopping_mall_product_attributes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('data_type', sa.String(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('filterable', sa.Boolean(), nullable=False),
    sa.Column('display_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_product_attributes_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_attributes')),
    sa.UniqueConstraint('shopping_mall_product_id', 'name', name='uq_product_attributes_name')
    )
    with op.batch_alter_table('shopping_mall_product_attributes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_attributes_product_id'), ['shopping_mall_product_id'], unique=False)

    op.create_table('shopping_mall_product_categories',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_category_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_category_id'], ['shopping_mall_categories.id'], name=op.f('fk_product_categories_category_id')),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_product_categories_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_categories')),
    sa.UniqueConstraint('shopping_mall_product_id', 'shopping_mall_category_id', name='uq_product_categories_pair')
    )
    with op.batch_alter_table('shopping_mall_product_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_categories_category_id'), ['shopping_mall_category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_categories_product_id'), ['shopping_mall_product_id'], unique=False)

    op.create_table('shopping_mall_product_daily_sale_stats',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('sold_quantity', sa.Integer(), nullable=False),
    sa.Column('aggregated_date', sa.Date(), nullable=False),
    sa.Column('aggregated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_product_daily_sale_stats_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_daily_sale_stats')),
    sa.UniqueConstraint('shopping_mall_product_id', 'aggregated_date', name='uq_product_daily_sale_stats_day')
    )
    with op.batch_alter_table('shopping_mall_product_daily_sale_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_daily_sale_stats_aggregated_date'), ['aggregated_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_daily_sale_stats_product_id'), ['shopping_mall_product_id'], unique=False)

    op.create_table('shopping_mall_product_interval_sale_stats',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('sold_quantity', sa.Integer(), nullable=False),
    sa.Column('aggregated_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('aggregated_to', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_product_interval_sale_stats_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_interval_sale_stats')),
    sa.UniqueConstraint('shopping_mall_product_id', 'aggregated_from', 'aggregated_to', name='uq_product_interval_sale_stats_window')
    )
    with op.batch_alter_table('shopping_mall_product_interval_sale_stats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_interval_sale_stats_aggregated_from'), ['aggregated_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_interval_sale_stats_product_id'), ['shopping_mall_product_id'], unique=False)

    op.create_table('shopping_mall_product_media',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('uri', sa.String(length=80000), nullable=False),
    sa.Column('alt_text', sa.String(), nullable=True),
    sa.Column('display_order', sa.Integer(), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.Column('uri_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_product_media_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_media')),
    sa.UniqueConstraint('shopping_mall_product_id', 'display_order', name='uq_product_media_order'),
    sa.UniqueConstraint('shopping_mall_product_id', 'uri_hash', name='uq_product_media_uri')
    )
    with op.batch_alter_table('shopping_mall_product_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_media_product_id'), ['shopping_mall_product_id'], unique=False)

    op.create_table('shopping_mall_product_options',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_option_type_id', sa.String(length=36), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('display_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_option_type_id'], ['shopping_mall_option_types.id'], name=op.f('fk_product_options_option_type_id')),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_product_options_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_options')),
    sa.UniqueConstraint('shopping_mall_product_id', 'display_order', name='uq_product_options_order'),
    sa.UniqueConstraint('shopping_mall_product_id', 'shopping_mall_option_type_id', name='uq_product_options_type')
    )
    with op.batch_alter_table('shopping_mall_product_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_options_option_type_id'), ['shopping_mall_option_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_options_product_id'), ['shopping_mall_product_id'], unique=False)

    op.create_table('shopping_mall_reserves',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('released_shopping_mall_payout_id', sa.String(length=36), nullable=True),
    sa.Column('reserve_type', sa.String(), nullable=False),
    sa.Column('policy_reference', sa.String(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('hold_percent', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('hold_amount', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('release_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('released_amount', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['released_shopping_mall_payout_id'], ['shopping_mall_payouts.id'], name=op.f('fk_reserves_released_shopping_mall_payout_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_reserves_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_reserves_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_reserves'))
    )
    with op.batch_alter_table('shopping_mall_reserves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reserves_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reserves_released_shopping_mall_payout_id'), ['released_shopping_mall_payout_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reserves_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reserves_status'), ['status'], unique=False)

    op.create_table('shopping_mall_return_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('requested_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('original_shipment_id', sa.String(length=36), nullable=True),
    sa.Column('rma_code', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('reason_code', sa.String(), nullable=False),
    sa.Column('reason_note', sa.String(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['original_shipment_id'], ['shopping_mall_shipments.id'], name=op.f('fk_return_requests_original_shipment_id')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_return_requests_requested_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_return_requests_order_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_return_requests')),
    sa.UniqueConstraint('rma_code', name=op.f('uq_return_requests_rma_code'))
    )
    with op.batch_alter_table('shopping_mall_return_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_requests_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_requests_original_shipment_id'), ['original_shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_requests_requested_by_user_id'), ['requested_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_requests_status'), ['status'], unique=False)

    op.create_table('shopping_mall_shipment_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_shipment_id', sa.String(length=36), nullable=False),
    sa.Column('canonical_event', sa.String(), nullable=False),
    sa.Column('event_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location_description', sa.String(), nullable=True),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('raw_event_code', sa.String(), nullable=True),
    sa.Column('raw_event_description', sa.String(), nullable=True),
    sa.Column('raw_event_source', sa.String(), nullable=True),
    sa.Column('customer_visible', sa.Boolean(), nullable=False),
    sa.Column('correlation_id', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_shipment_id'], ['shopping_mall_shipments.id'], name=op.f('fk_shipment_events_shipment_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_shipment_events')),
    sa.UniqueConstraint('shopping_mall_shipment_id', 'correlation_id', name='uq_shipment_events_correlation')
    )
    with op.batch_alter_table('shopping_mall_shipment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_events_event_at'), ['event_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_events_shipment_id'), ['shopping_mall_shipment_id'], unique=False)

    op.create_table('shopping_mall_skus',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=False),
    sa.Column('sku_code', sa.String(), nullable=False),
    sa.Column('seller_sku_code', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('base_price', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('barcode', sa.String(), nullable=True),
    sa.Column('weight', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('length', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('width', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('height', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('combination_key', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_skus_product_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_skus')),
    sa.UniqueConstraint('shopping_mall_product_id', 'combination_key', name='uq_skus_combination'),
    sa.UniqueConstraint('sku_code', name=op.f('uq_skus_sku_code'))
    )
    with op.batch_alter_table('shopping_mall_skus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skus_product_id'), ['shopping_mall_product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skus_status'), ['status'], unique=False)

    op.create_table('shopping_mall_support_cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('customer_user_id', sa.String(length=36), nullable=True),
    sa.Column('seller_user_id', sa.String(length=36), nullable=True),
    sa.Column('order_id', sa.String(length=36), nullable=True),
    sa.Column('shipment_id', sa.String(length=36), nullable=True),
    sa.Column('assigned_to_user_id', sa.String(length=36), nullable=True),
    sa.Column('case_number', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('priority', sa.String(), nullable=False),
    sa.Column('category', sa.String(), nullable=True),
    sa.Column('origin_channel', sa.String(), nullable=True),
    sa.Column('sla_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_to_user_id'], ['shopping_mall_users.id'], name=op.f('fk_support_cases_assigned_to_user_id')),
    sa.ForeignKeyConstraint(['customer_user_id'], ['shopping_mall_users.id'], name=op.f('fk_support_cases_customer_user_id')),
    sa.ForeignKeyConstraint(['order_id'], ['shopping_mall_orders.id'], name=op.f('fk_support_cases_order_id')),
    sa.ForeignKeyConstraint(['seller_user_id'], ['shopping_mall_users.id'], name=op.f('fk_support_cases_seller_user_id')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shopping_mall_shipments.id'], name=op.f('fk_support_cases_shipment_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_support_cases')),
    sa.UniqueConstraint('case_number', name=op.f('uq_support_cases_case_number'))
    )
    with op.batch_alter_table('shopping_mall_support_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_cases_assigned_to_user_id'), ['assigned_to_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_customer_user_id'), ['customer_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_last_event_at'), ['last_event_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_seller_user_id'), ['seller_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_sla_due_at'), ['sla_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_cases_status'), ['status'], unique=False)

    op.create_table('shopping_mall_cart_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_cart_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_cart_items_cart_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_cart_items_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_cart_items')),
    sa.UniqueConstraint('shopping_mall_cart_id', 'shopping_mall_sku_id', name='uq_cart_items_sku')
    )
    with op.batch_alter_table('shopping_mall_cart_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_items_cart_id'), ['shopping_mall_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cart_items_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_chargebacks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_capture_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_reserve_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payout_id', sa.String(length=36), nullable=True),
    sa.Column('provider_reference', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('reason_category', sa.String(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_chargebacks_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_capture_id'], ['shopping_mall_payment_captures.id'], name=op.f('fk_chargebacks_payment_capture_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payout_id'], ['shopping_mall_payouts.id'], name=op.f('fk_chargebacks_payout_id')),
    sa.ForeignKeyConstraint(['shopping_mall_reserve_id'], ['shopping_mall_reserves.id'], name=op.f('fk_chargebacks_reserve_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_chargebacks_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_chargebacks')),
    sa.UniqueConstraint('provider_reference', name=op.f('uq_chargebacks_provider_reference'))
    )
    with op.batch_alter_table('shopping_mall_chargebacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chargebacks_opened_at'), ['opened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargebacks_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargebacks_payment_capture_id'), ['shopping_mall_payment_capture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargebacks_payout_id'), ['shopping_mall_payout_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargebacks_reserve_id'), ['shopping_mall_reserve_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargebacks_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chargebacks_status'), ['status'], unique=False)

    op.create_table('shopping_mall_inventory_adjustments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_inventory_location_id', sa.String(length=36), nullable=False),
    sa.Column('adjusted_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('adjustment_reference', sa.String(), nullable=True),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('reason_category', sa.String(), nullable=False),
    sa.Column('reason_note', sa.String(), nullable=True),
    sa.Column('adjusted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['adjusted_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_inventory_adjustments_adjusted_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_inventory_location_id'], ['shopping_mall_inventory_locations.id'], name=op.f('fk_inventory_adjustments_inventory_location_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_inventory_adjustments_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_inventory_adjustments')),
    sa.UniqueConstraint('adjustment_reference', name=op.f('uq_inventory_adjustments_adjustment_reference'))
    )
    with op.batch_alter_table('shopping_mall_inventory_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_adjustments_adjusted_by_user_id'), ['adjusted_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_adjustments_inventory_location_id'), ['shopping_mall_inventory_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_adjustments_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_inventory_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_inventory_location_id', sa.String(length=36), nullable=False),
    sa.Column('on_hand', sa.Integer(), nullable=False),
    sa.Column('non_sellable', sa.Integer(), nullable=False),
    sa.Column('safety_stock_threshold', sa.Integer(), nullable=False),
    sa.Column('reorder_point', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_inventory_location_id'], ['shopping_mall_inventory_locations.id'], name=op.f('fk_inventory_records_inventory_location_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_inventory_records_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_inventory_records')),
    sa.UniqueConstraint('shopping_mall_sku_id', 'shopping_mall_inventory_location_id', name='uq_inventory_records_sku_location')
    )
    with op.batch_alter_table('shopping_mall_inventory_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_records_inventory_location_id'), ['shopping_mall_inventory_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_records_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_inventory_reservations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_inventory_location_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_cart_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_user_id', sa.String(length=36), nullable=True),
    sa.Column('reservation_token', sa.String(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('reserved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reservation_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_inventory_reservations_cart_id')),
    sa.ForeignKeyConstraint(['shopping_mall_inventory_location_id'], ['shopping_mall_inventory_locations.id'], name=op.f('fk_inventory_reservations_inventory_location_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_inventory_reservations_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_inventory_reservations_sku_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_id'], ['shopping_mall_users.id'], name=op.f('fk_inventory_reservations_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_inventory_reservations')),
    sa.UniqueConstraint('reservation_token', name=op.f('uq_inventory_reservations_reservation_token'))
    )
    with op.batch_alter_table('shopping_mall_inventory_reservations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_reservations_cart_id'), ['shopping_mall_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_reservations_inventory_location_id'), ['shopping_mall_inventory_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_reservations_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_reservations_reservation_expires_at'), ['reservation_expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_reservations_sku_id'), ['shopping_mall_sku_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_reservations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_reservations_user_id'), ['shopping_mall_user_id'], unique=False)

    op.create_table('shopping_mall_order_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_order_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('line_position', sa.Integer(), nullable=False),
    sa.Column('product_name', sa.String(), nullable=False),
    sa.Column('sku_name', sa.String(), nullable=True),
    sa.Column('option_summary', sa.String(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('unit_discount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('unit_tax', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('line_subtotal', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('line_discount_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('line_tax_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('line_grand_total', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_order_items_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_order_id'], ['shopping_mall_seller_orders.id'], name=op.f('fk_order_items_seller_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_order_items_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_order_items')),
    sa.UniqueConstraint('shopping_mall_order_id', 'line_position', name='uq_order_items_position')
    )
    with op.batch_alter_table('shopping_mall_order_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_items_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_items_seller_order_id'), ['shopping_mall_seller_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_items_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_product_attribute_values',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_product_attribute_id', sa.String(length=36), nullable=False),
    sa.Column('value_string', sa.String(), nullable=True),
    sa.Column('value_int', sa.Integer(), nullable=True),
    sa.Column('value_double', sa.Float(), nullable=True),
    sa.Column('value_boolean', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_product_attribute_id'], ['shopping_mall_product_attributes.id'], name=op.f('fk_product_attribute_values_product_attribute_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_product_attribute_values'))
    )
    with op.batch_alter_table('shopping_mall_product_attribute_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_attribute_values_product_attribute_id'), ['shopping_mall_product_attribute_id'], unique=False)

    op.create_table('shopping_mall_promotion_rules',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_promotion_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_category_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_product_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=True),
    sa.Column('rule_type', sa.String(), nullable=False),
    sa.Column('attribute', sa.String(), nullable=False),
    sa.Column('operator', sa.String(), nullable=False),
    sa.Column('value_string', sa.String(), nullable=True),
    sa.Column('value_int', sa.Integer(), nullable=True),
    sa.Column('value_double', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('min_subtotal', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('min_quantity', sa.Integer(), nullable=True),
    sa.Column('customer_segment', sa.String(), nullable=True),
    sa.Column('new_customer_only', sa.Boolean(), nullable=True),
    sa.Column('first_order_only', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_category_id'], ['shopping_mall_categories.id'], name=op.f('fk_promotion_rules_category_id')),
    sa.ForeignKeyConstraint(['shopping_mall_product_id'], ['shopping_mall_products.id'], name=op.f('fk_promotion_rules_product_id')),
    sa.ForeignKeyConstraint(['shopping_mall_promotion_id'], ['shopping_mall_promotions.id'], name=op.f('fk_promotion_rules_promotion_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_promotion_rules_seller_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_promotion_rules_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_promotion_rules'))
    )
    with op.batch_alter_table('shopping_mall_promotion_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_rules_category_id'), ['shopping_mall_category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_rules_product_id'), ['shopping_mall_product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_rules_promotion_id'), ['shopping_mall_promotion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_rules_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_rules_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_rating_aggregates',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('average_rating', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('total_reviews', sa.Integer(), nullable=False),
    sa.Column('ratings_1_count', sa.Integer(), nullable=False),
    sa.Column('ratings_2_count', sa.Integer(), nullable=False),
    sa.Column('ratings_3_count', sa.Integer(), nullable=False),
    sa.Column('ratings_4_count', sa.Integer(), nullable=False),
    sa.Column('ratings_5_count', sa.Integer(), nullable=False),
    sa.Column('last_approved_review_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['shopping_mall_products.id'], name=op.f('fk_rating_aggregates_product_id')),
    sa.ForeignKeyConstraint(['sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_rating_aggregates_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_rating_aggregates')),
    sa.UniqueConstraint('product_id', 'sku_id', name='uq_rating_aggregates_sku')
    )
    with op.batch_alter_table('shopping_mall_rating_aggregates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_aggregates_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_aggregates_sku_id'), ['sku_id'], unique=False)

    op.create_table('shopping_mall_refund_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=False),
    sa.Column('requested_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('approved_by_user_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_return_request_id', sa.String(length=36), nullable=True),
    sa.Column('refund_request_number', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('reason_code', sa.String(), nullable=False),
    sa.Column('reason_note', sa.String(), nullable=True),
    sa.Column('total_requested_amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('approved_amount', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_refund_requests_approved_by_user_id')),
    sa.ForeignKeyConstraint(['requested_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_refund_requests_requested_by_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_refund_requests_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_return_request_id'], ['shopping_mall_return_requests.id'], name=op.f('fk_refund_requests_return_request_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_refund_requests')),
    sa.UniqueConstraint('refund_request_number', name=op.f('uq_refund_requests_refund_request_number'))
    )
    with op.batch_alter_table('shopping_mall_refund_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_requests_approved_by_user_id'), ['approved_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_requests_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_requests_requested_by_user_id'), ['requested_by_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_requests_return_request_id'), ['shopping_mall_return_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_requests_status'), ['status'], unique=False)

    op.create_table('shopping_mall_return_shipments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_return_request_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_carrier_id', sa.String(length=36), nullable=True),
    sa.Column('tracking_number', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_carrier_id'], ['shopping_mall_carriers.id'], name=op.f('fk_return_shipments_carrier_id')),
    sa.ForeignKeyConstraint(['shopping_mall_return_request_id'], ['shopping_mall_return_requests.id'], name=op.f('fk_return_shipments_return_request_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_return_shipments'))
    )
    with op.batch_alter_table('shopping_mall_return_shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_shipments_carrier_id'), ['shopping_mall_carrier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_shipments_return_request_id'), ['shopping_mall_return_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_shipments_status'), ['status'], unique=False)

    op.create_table('shopping_mall_sku_option_values',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_option_value_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_option_type_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_option_type_id'], ['shopping_mall_option_types.id'], name=op.f('fk_sku_option_values_option_type_id')),
    sa.ForeignKeyConstraint(['shopping_mall_option_value_id'], ['shopping_mall_option_values.id'], name=op.f('fk_sku_option_values_option_value_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_sku_option_values_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_sku_option_values')),
    sa.UniqueConstraint('shopping_mall_sku_id', 'shopping_mall_option_type_id', name='uq_sku_option_values_type'),
    sa.UniqueConstraint('shopping_mall_sku_id', 'shopping_mall_option_value_id', name='uq_sku_option_values_value')
    )
    with op.batch_alter_table('shopping_mall_sku_option_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sku_option_values_option_type_id'), ['shopping_mall_option_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sku_option_values_option_value_id'), ['shopping_mall_option_value_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sku_option_values_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_support_case_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_support_case_id', sa.String(length=36), nullable=False),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('event_type', sa.String(), nullable=False),
    sa.Column('visibility', sa.String(), nullable=False),
    sa.Column('body', sa.String(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['shopping_mall_users.id'], name=op.f('fk_support_case_events_actor_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_support_case_id'], ['shopping_mall_support_cases.id'], name=op.f('fk_support_case_events_support_case_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_support_case_events'))
    )
    with op.batch_alter_table('shopping_mall_support_case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_case_events_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_case_events_support_case_id'), ['shopping_mall_support_case_id'], unique=False)

    op.create_table('shopping_mall_support_notes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_support_case_id', sa.String(length=36), nullable=False),
    sa.Column('author_user_id', sa.String(length=36), nullable=False),
    sa.Column('visibility', sa.String(), nullable=False),
    sa.Column('body', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_user_id'], ['shopping_mall_users.id'], name=op.f('fk_support_notes_author_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_support_case_id'], ['shopping_mall_support_cases.id'], name=op.f('fk_support_notes_support_case_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_support_notes'))
    )
    with op.batch_alter_table('shopping_mall_support_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_notes_author_user_id'), ['author_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_notes_support_case_id'), ['shopping_mall_support_case_id'], unique=False)

    op.create_table('shopping_mall_wishlist_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_wishlist_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_wishlist_items_sku_id')),
    sa.ForeignKeyConstraint(['shopping_mall_wishlist_id'], ['shopping_mall_wishlists.id'], name=op.f('fk_wishlist_items_wishlist_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_wishlist_items')),
    sa.UniqueConstraint('shopping_mall_wishlist_id', 'shopping_mall_sku_id', name='uq_wishlist_items_sku')
    )
    with op.batch_alter_table('shopping_mall_wishlist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wishlist_items_sku_id'), ['shopping_mall_sku_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishlist_items_wishlist_id'), ['shopping_mall_wishlist_id'], unique=False)

    op.create_table('shopping_mall_inventory_allocations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_sku_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_inventory_location_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_item_id', sa.String(length=36), nullable=False),
    sa.Column('allocation_reference', sa.String(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('allocated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_inventory_location_id'], ['shopping_mall_inventory_locations.id'], name=op.f('fk_inventory_allocations_inventory_location_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_inventory_allocations_order_item_id')),
    sa.ForeignKeyConstraint(['shopping_mall_sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_inventory_allocations_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_inventory_allocations')),
    sa.UniqueConstraint('allocation_reference', name=op.f('uq_inventory_allocations_allocation_reference'))
    )
    with op.batch_alter_table('shopping_mall_inventory_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_allocations_inventory_location_id'), ['shopping_mall_inventory_location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_allocations_order_item_id'), ['shopping_mall_order_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inventory_allocations_sku_id'), ['shopping_mall_sku_id'], unique=False)

    op.create_table('shopping_mall_payment_refunds',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_capture_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_refund_request_id', sa.String(length=36), nullable=True),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('reason_category', sa.String(), nullable=True),
    sa.Column('provider_reference', sa.String(), nullable=True),
    sa.Column('idempotency_key', sa.String(), nullable=True),
    sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failure_category', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_payment_capture_id'], ['shopping_mall_payment_captures.id'], name=op.f('fk_payment_refunds_payment_capture_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_id'], ['shopping_mall_payments.id'], name=op.f('fk_payment_refunds_payment_id')),
    sa.ForeignKeyConstraint(['shopping_mall_refund_request_id'], ['shopping_mall_refund_requests.id'], name=op.f('fk_payment_refunds_refund_request_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payment_refunds')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_refunds_idempotency_key')),
    sa.UniqueConstraint('provider_reference', name=op.f('uq_payment_refunds_provider_reference'))
    )
    with op.batch_alter_table('shopping_mall_payment_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_refunds_payment_capture_id'), ['shopping_mall_payment_capture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_refunds_payment_id'), ['shopping_mall_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_refunds_refund_request_id'), ['shopping_mall_refund_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_refunds_status'), ['status'], unique=False)

    op.create_table('shopping_mall_promotion_applications',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_promotion_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_coupon_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_cart_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_order_item_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_cart_item_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('amount_applied', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('currency', sa.String(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('reversed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('idempotency_key', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_cart_id'], ['shopping_mall_carts.id'], name=op.f('fk_promotion_applications_cart_id')),
    sa.ForeignKeyConstraint(['shopping_mall_cart_item_id'], ['shopping_mall_cart_items.id'], name=op.f('fk_promotion_applications_cart_item_id')),
    sa.ForeignKeyConstraint(['shopping_mall_coupon_id'], ['shopping_mall_coupons.id'], name=op.f('fk_promotion_applications_coupon_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_promotion_applications_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_promotion_applications_order_item_id')),
    sa.ForeignKeyConstraint(['shopping_mall_promotion_id'], ['shopping_mall_promotions.id'], name=op.f('fk_promotion_applications_promotion_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_promotion_applications_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_promotion_applications')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_promotion_applications_idempotency_key'))
    )
    with op.batch_alter_table('shopping_mall_promotion_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_applications_applied_at'), ['applied_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_cart_id'), ['shopping_mall_cart_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_cart_item_id'), ['shopping_mall_cart_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_coupon_id'), ['shopping_mall_coupon_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_order_item_id'), ['shopping_mall_order_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_promotion_id'), ['shopping_mall_promotion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_applications_seller_id'), ['shopping_mall_seller_id'], unique=False)

    op.create_table('shopping_mall_refund_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_refund_request_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_item_id', sa.String(length=36), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('reason_code', sa.String(), nullable=False),
    sa.Column('approval_status', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_refund_items_order_item_id')),
    sa.ForeignKeyConstraint(['shopping_mall_refund_request_id'], ['shopping_mall_refund_requests.id'], name=op.f('fk_refund_items_refund_request_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_refund_items')),
    sa.UniqueConstraint('shopping_mall_refund_request_id', 'shopping_mall_order_item_id', name='uq_refund_items_line')
    )
    with op.batch_alter_table('shopping_mall_refund_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_items_order_item_id'), ['shopping_mall_order_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_items_refund_request_id'), ['shopping_mall_refund_request_id'], unique=False)

    op.create_table('shopping_mall_return_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_return_request_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_item_id', sa.String(length=36), nullable=False),
    sa.Column('requested_quantity', sa.Integer(), nullable=False),
    sa.Column('approved_quantity', sa.Integer(), nullable=True),
    sa.Column('received_condition', sa.String(), nullable=True),
    sa.Column('inspection_status', sa.String(), nullable=True),
    sa.Column('inspection_note', sa.String(), nullable=True),
    sa.Column('condition_note', sa.String(), nullable=True),
    sa.Column('refundable_amount', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_return_items_order_item_id')),
    sa.ForeignKeyConstraint(['shopping_mall_return_request_id'], ['shopping_mall_return_requests.id'], name=op.f('fk_return_items_return_request_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_return_items')),
    sa.UniqueConstraint('shopping_mall_return_request_id', 'shopping_mall_order_item_id', name='uq_return_items_line')
    )
    with op.batch_alter_table('shopping_mall_return_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_items_order_item_id'), ['shopping_mall_order_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_return_items_return_request_id'), ['shopping_mall_return_request_id'], unique=False)

    op.create_table('shopping_mall_reviews',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('author_user_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.String(length=36), nullable=False),
    sa.Column('sku_id', sa.String(length=36), nullable=False),
    sa.Column('order_item_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('body', sa.String(), nullable=True),
    sa.Column('rating', sa.Numeric(precision=2, scale=1), nullable=False),
    sa.Column('verified_purchase', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('language', sa.String(), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_user_id'], ['shopping_mall_users.id'], name=op.f('fk_reviews_author_user_id')),
    sa.ForeignKeyConstraint(['order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_reviews_order_item_id')),
    sa.ForeignKeyConstraint(['product_id'], ['shopping_mall_products.id'], name=op.f('fk_reviews_product_id')),
    sa.ForeignKeyConstraint(['sku_id'], ['shopping_mall_skus.id'], name=op.f('fk_reviews_sku_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_reviews')),
    sa.UniqueConstraint('order_item_id', name=op.f('uq_reviews_order_item_id'))
    )
    with op.batch_alter_table('shopping_mall_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_author_user_id'), ['author_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_sku_id'), ['sku_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_state'), ['state'], unique=False)

    op.create_table('shopping_mall_shipment_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_shipment_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_item_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('weight_kg', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_shipment_items_order_item_id')),
    sa.ForeignKeyConstraint(['shopping_mall_shipment_id'], ['shopping_mall_shipments.id'], name=op.f('fk_shipment_items_shipment_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_shipment_items')),
    sa.UniqueConstraint('shopping_mall_shipment_id', 'shopping_mall_order_item_id', name='uq_shipment_items_line')
    )
    with op.batch_alter_table('shopping_mall_shipment_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_items_order_item_id'), ['shopping_mall_order_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipment_items_shipment_id'), ['shopping_mall_shipment_id'], unique=False)

    op.create_table('shopping_mall_support_attachments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_support_case_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_support_case_event_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_support_note_id', sa.String(length=36), nullable=True),
    sa.Column('uploaded_by_user_id', sa.String(length=36), nullable=False),
    sa.Column('file_name', sa.String(), nullable=False),
    sa.Column('file_uri', sa.String(length=80000), nullable=False),
    sa.Column('content_type', sa.String(), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_support_case_event_id'], ['shopping_mall_support_case_events.id'], name=op.f('fk_support_attachments_support_case_event_id')),
    sa.ForeignKeyConstraint(['shopping_mall_support_case_id'], ['shopping_mall_support_cases.id'], name=op.f('fk_support_attachments_support_case_id')),
    sa.ForeignKeyConstraint(['shopping_mall_support_note_id'], ['shopping_mall_support_notes.id'], name=op.f('fk_support_attachments_support_note_id')),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['shopping_mall_users.id'], name=op.f('fk_support_attachments_uploaded_by_user_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_support_attachments'))
    )
    with op.batch_alter_table('shopping_mall_support_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_attachments_support_case_event_id'), ['shopping_mall_support_case_event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_attachments_support_case_id'), ['shopping_mall_support_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_attachments_support_note_id'), ['shopping_mall_support_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_attachments_uploaded_by_user_id'), ['uploaded_by_user_id'], unique=False)

    op.create_table('shopping_mall_user_balance_records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_user_balance_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('balance_after', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_refund_request_id', sa.String(length=36), nullable=True),
    sa.Column('actor_user_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('charge', 'use', 'refund', 'adjust')", name=op.f('ck_shopping_mall_user_balance_records_type_known')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['shopping_mall_users.id'], name=op.f('fk_user_balance_records_actor_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_user_balance_records_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_id'], ['shopping_mall_payments.id'], name=op.f('fk_user_balance_records_payment_id')),
    sa.ForeignKeyConstraint(['shopping_mall_refund_request_id'], ['shopping_mall_refund_requests.id'], name=op.f('fk_user_balance_records_refund_request_id')),
    sa.ForeignKeyConstraint(['shopping_mall_user_balance_id'], ['shopping_mall_user_balances.id'], name=op.f('fk_user_balance_records_user_balance_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_user_balance_records'))
    )
    with op.batch_alter_table('shopping_mall_user_balance_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_balance_records_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_balance_records_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_balance_records_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_balance_records_payment_id'), ['shopping_mall_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_balance_records_refund_request_id'), ['shopping_mall_refund_request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_balance_records_user_balance_id'), ['shopping_mall_user_balance_id'], unique=False)

    op.create_table('shopping_mall_fees',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_capture_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_refund_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payout_id', sa.String(length=36), nullable=True),
    sa.Column('fee_type', sa.String(), nullable=False),
    sa.Column('basis', sa.String(), nullable=True),
    sa.Column('rate_percent', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=True),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_fees_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_capture_id'], ['shopping_mall_payment_captures.id'], name=op.f('fk_fees_payment_capture_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_refund_id'], ['shopping_mall_payment_refunds.id'], name=op.f('fk_fees_payment_refund_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payout_id'], ['shopping_mall_payouts.id'], name=op.f('fk_fees_payout_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_fees_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_fees'))
    )
    with op.batch_alter_table('shopping_mall_fees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fees_assessed_at'), ['assessed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_fees_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fees_payment_capture_id'), ['shopping_mall_payment_capture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fees_payment_refund_id'), ['shopping_mall_payment_refund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fees_payout_id'), ['shopping_mall_payout_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fees_seller_id'), ['shopping_mall_seller_id'], unique=False)

    op.create_table('shopping_mall_order_item_allocations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_item_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_inventory_allocation_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shopping_mall_inventory_allocation_id'], ['shopping_mall_inventory_allocations.id'], name=op.f('fk_order_item_allocations_inventory_allocation_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_item_id'], ['shopping_mall_order_items.id'], name=op.f('fk_order_item_allocations_order_item_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_order_item_allocations'))
    )
    with op.batch_alter_table('shopping_mall_order_item_allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_item_allocations_inventory_allocation_id'), ['shopping_mall_inventory_allocation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_item_allocations_order_item_id'), ['shopping_mall_order_item_id'], unique=False)

    op.create_table('shopping_mall_payment_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payment_authorization_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_capture_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_refund_id', sa.String(length=36), nullable=True),
    sa.Column('type', sa.String(), nullable=False),
    sa.Column('provider_event_id', sa.String(), nullable=True),
    sa.Column('idempotency_key', sa.String(), nullable=True),
    sa.Column('raw_type', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=True),
    sa.Column('payload_uri', sa.String(length=80000), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed', sa.Boolean(), nullable=False),
    sa.Column('error_category', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_payment_authorization_id'], ['shopping_mall_payment_authorizations.id'], name=op.f('fk_payment_events_payment_authorization_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_capture_id'], ['shopping_mall_payment_captures.id'], name=op.f('fk_payment_events_payment_capture_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_id'], ['shopping_mall_payments.id'], name=op.f('fk_payment_events_payment_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_refund_id'], ['shopping_mall_payment_refunds.id'], name=op.f('fk_payment_events_payment_refund_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payment_events')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payment_events_idempotency_key')),
    sa.UniqueConstraint('provider_event_id', name=op.f('uq_payment_events_provider_event_id'))
    )
    with op.batch_alter_table('shopping_mall_payment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_events_payment_authorization_id'), ['shopping_mall_payment_authorization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_events_payment_capture_id'), ['shopping_mall_payment_capture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_events_payment_id'), ['shopping_mall_payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_events_payment_refund_id'), ['shopping_mall_payment_refund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_events_status'), ['status'], unique=False)

    op.create_table('shopping_mall_review_media',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_review_id', sa.String(length=36), nullable=False),
    sa.Column('uri', sa.String(length=80000), nullable=False),
    sa.Column('mime_type', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('uri_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_review_id'], ['shopping_mall_reviews.id'], name=op.f('fk_review_media_review_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_review_media')),
    sa.UniqueConstraint('shopping_mall_review_id', 'position', name='uq_review_media_position'),
    sa.UniqueConstraint('shopping_mall_review_id', 'uri_hash', name='uq_review_media_uri')
    )
    with op.batch_alter_table('shopping_mall_review_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_media_review_id'), ['shopping_mall_review_id'], unique=False)

    op.create_table('shopping_mall_review_moderations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_review_id', sa.String(length=36), nullable=False),
    sa.Column('moderator_user_id', sa.String(length=36), nullable=False),
    sa.Column('decision', sa.String(), nullable=False),
    sa.Column('reason_code', sa.String(), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('effective', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moderator_user_id'], ['shopping_mall_users.id'], name=op.f('fk_review_moderations_moderator_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_review_id'], ['shopping_mall_reviews.id'], name=op.f('fk_review_moderations_review_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_review_moderations'))
    )
    with op.batch_alter_table('shopping_mall_review_moderations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_moderations_moderator_user_id'), ['moderator_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_moderations_review_id'), ['shopping_mall_review_id'], unique=False)

    op.create_table('shopping_mall_review_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_review_id', sa.String(length=36), nullable=False),
    sa.Column('reporter_user_id', sa.String(length=36), nullable=True),
    sa.Column('resolver_user_id', sa.String(length=36), nullable=True),
    sa.Column('reporter_role', sa.String(), nullable=False),
    sa.Column('reason_category', sa.String(), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reporter_user_id'], ['shopping_mall_users.id'], name=op.f('fk_review_reports_reporter_user_id')),
    sa.ForeignKeyConstraint(['resolver_user_id'], ['shopping_mall_users.id'], name=op.f('fk_review_reports_resolver_user_id')),
    sa.ForeignKeyConstraint(['shopping_mall_review_id'], ['shopping_mall_reviews.id'], name=op.f('fk_review_reports_review_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_review_reports'))
    )
    with op.batch_alter_table('shopping_mall_review_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_reports_reporter_user_id'), ['reporter_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reports_resolver_user_id'), ['resolver_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reports_review_id'), ['shopping_mall_review_id'], unique=False)

    op.create_table('shopping_mall_seller_ledgers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_order_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_capture_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_payment_refund_id', sa.String(length=36), nullable=True),
    sa.Column('shopping_mall_chargeback_id', sa.String(length=36), nullable=True),
    sa.Column('entry_type', sa.String(), nullable=False),
    sa.Column('source_type', sa.String(), nullable=False),
    sa.Column('source_reference', sa.String(), nullable=True),
    sa.Column('currency', sa.String(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('balance_after', sa.Numeric(precision=19, scale=4), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_chargeback_id'], ['shopping_mall_chargebacks.id'], name=op.f('fk_seller_ledgers_chargeback_id')),
    sa.ForeignKeyConstraint(['shopping_mall_order_id'], ['shopping_mall_orders.id'], name=op.f('fk_seller_ledgers_order_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_capture_id'], ['shopping_mall_payment_captures.id'], name=op.f('fk_seller_ledgers_payment_capture_id')),
    sa.ForeignKeyConstraint(['shopping_mall_payment_refund_id'], ['shopping_mall_payment_refunds.id'], name=op.f('fk_seller_ledgers_payment_refund_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_seller_ledgers_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller_ledgers'))
    )
    with op.batch_alter_table('shopping_mall_seller_ledgers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_ledgers_chargeback_id'), ['shopping_mall_chargeback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_ledgers_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_ledgers_order_id'), ['shopping_mall_order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_ledgers_payment_capture_id'), ['shopping_mall_payment_capture_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_ledgers_payment_refund_id'), ['shopping_mall_payment_refund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_ledgers_seller_id'), ['shopping_mall_seller_id'], unique=False)

    op.create_table('shopping_mall_seller_replies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_review_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_id', sa.String(length=36), nullable=False),
    sa.Column('body', sa.String(), nullable=False),
    sa.Column('state', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_review_id'], ['shopping_mall_reviews.id'], name=op.f('fk_seller_replies_review_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_id'], ['shopping_mall_sellers.id'], name=op.f('fk_seller_replies_seller_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_seller_replies')),
    sa.UniqueConstraint('shopping_mall_review_id', name=op.f('uq_seller_replies_review_id'))
    )
    with op.batch_alter_table('shopping_mall_seller_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_replies_seller_id'), ['shopping_mall_seller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_replies_state'), ['state'], unique=False)

    op.create_table('shopping_mall_payout_items',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_payout_id', sa.String(length=36), nullable=False),
    sa.Column('shopping_mall_seller_ledger_id', sa.String(length=36), nullable=False),
    sa.Column('amount', sa.Numeric(precision=19, scale=4), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['shopping_mall_payout_id'], ['shopping_mall_payouts.id'], name=op.f('fk_payout_items_payout_id')),
    sa.ForeignKeyConstraint(['shopping_mall_seller_ledger_id'], ['shopping_mall_seller_ledgers.id'], name=op.f('fk_payout_items_seller_ledger_id')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shopping_mall_payout_items')),
    sa.UniqueConstraint('shopping_mall_seller_ledger_id', name=op.f('uq_payout_items_seller_ledger_id'))
    )
    with op.batch_alter_table('shopping_mall_payout_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_items_payout_id'), ['shopping_mall_payout_id'], unique=False)


    create_product_rating_rollup()
    create_audit_append_only_trigger()

def downgrade():
    drop_audit_append_only_trigger()
    drop_product_rating_rollup()
    with op.batch_alter_table('shopping_mall_payout_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_items_payout_id'))

    op.drop_table('shopping_mall_payout_items')
    with op.batch_alter_table('shopping_mall_seller_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_replies_state'))
        batch_op.drop_index(batch_op.f('ix_seller_replies_seller_id'))

    op.drop_table('shopping_mall_seller_replies')
    with op.batch_alter_table('shopping_mall_seller_ledgers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_ledgers_seller_id'))
        batch_op.drop_index(batch_op.f('ix_seller_ledgers_payment_refund_id'))
        batch_op.drop_index(batch_op.f('ix_seller_ledgers_payment_capture_id'))
        batch_op.drop_index(batch_op.f('ix_seller_ledgers_order_id'))
        batch_op.drop_index(batch_op.f('ix_seller_ledgers_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_seller_ledgers_chargeback_id'))

    op.drop_table('shopping_mall_seller_ledgers')
    with op.batch_alter_table('shopping_mall_review_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reports_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_reports_resolver_user_id'))
        batch_op.drop_index(batch_op.f('ix_review_reports_reporter_user_id'))

    op.drop_table('shopping_mall_review_reports')
    with op.batch_alter_table('shopping_mall_review_moderations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_moderations_review_id'))
        batch_op.drop_index(batch_op.f('ix_review_moderations_moderator_user_id'))

    op.drop_table('shopping_mall_review_moderations')
    with op.batch_alter_table('shopping_mall_review_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_media_review_id'))

    op.drop_table('shopping_mall_review_media')
    with op.batch_alter_table('shopping_mall_payment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_events_status'))
        batch_op.drop_index(batch_op.f('ix_payment_events_payment_refund_id'))
        batch_op.drop_index(batch_op.f('ix_payment_events_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_events_payment_capture_id'))
        batch_op.drop_index(batch_op.f('ix_payment_events_payment_authorization_id'))
        batch_op.drop_index(batch_op.f('ix_payment_events_occurred_at'))

    op.drop_table('shopping_mall_payment_events')
    with op.batch_alter_table('shopping_mall_order_item_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_item_allocations_order_item_id'))
        batch_op.drop_index(batch_op.f('ix_order_item_allocations_inventory_allocation_id'))

    op.drop_table('shopping_mall_order_item_allocations')
    with op.batch_alter_table('shopping_mall_fees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fees_seller_id'))
        batch_op.drop_index(batch_op.f('ix_fees_payout_id'))
        batch_op.drop_index(batch_op.f('ix_fees_payment_refund_id'))
        batch_op.drop_index(batch_op.f('ix_fees_payment_capture_id'))
        batch_op.drop_index(batch_op.f('ix_fees_order_id'))
        batch_op.drop_index(batch_op.f('ix_fees_assessed_at'))

    op.drop_table('shopping_mall_fees')
    with op.batch_alter_table('shopping_mall_user_balance_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_balance_records_user_balance_id'))
        batch_op.drop_index(batch_op.f('ix_user_balance_records_refund_request_id'))
        batch_op.drop_index(batch_op.f('ix_user_balance_records_payment_id'))
        batch_op.drop_index(batch_op.f('ix_user_balance_records_order_id'))
        batch_op.drop_index(batch_op.f('ix_user_balance_records_created_at'))
        batch_op.drop_index(batch_op.f('ix_user_balance_records_actor_user_id'))

    op.drop_table('shopping_mall_user_balance_records')
    with op.batch_alter_table('shopping_mall_support_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_attachments_uploaded_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_attachments_support_note_id'))
        batch_op.drop_index(batch_op.f('ix_support_attachments_support_case_id'))
        batch_op.drop_index(batch_op.f('ix_support_attachments_support_case_event_id'))

    op.drop_table('shopping_mall_support_attachments')
    with op.batch_alter_table('shopping_mall_shipment_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_items_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_shipment_items_order_item_id'))

    op.drop_table('shopping_mall_shipment_items')
    with op.batch_alter_table('shopping_mall_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_state'))
        batch_op.drop_index(batch_op.f('ix_reviews_sku_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_product_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_author_user_id'))

    op.drop_table('shopping_mall_reviews')
    with op.batch_alter_table('shopping_mall_return_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_items_return_request_id'))
        batch_op.drop_index(batch_op.f('ix_return_items_order_item_id'))

    op.drop_table('shopping_mall_return_items')
    with op.batch_alter_table('shopping_mall_refund_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_items_refund_request_id'))
        batch_op.drop_index(batch_op.f('ix_refund_items_order_item_id'))

    op.drop_table('shopping_mall_refund_items')
    with op.batch_alter_table('shopping_mall_promotion_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_applications_seller_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_promotion_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_order_item_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_order_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_coupon_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_cart_item_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_cart_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_applications_applied_at'))

    op.drop_table('shopping_mall_promotion_applications')
    with op.batch_alter_table('shopping_mall_payment_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_refunds_status'))
        batch_op.drop_index(batch_op.f('ix_payment_refunds_refund_request_id'))
        batch_op.drop_index(batch_op.f('ix_payment_refunds_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_refunds_payment_capture_id'))

    op.drop_table('shopping_mall_payment_refunds')
    with op.batch_alter_table('shopping_mall_inventory_allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_allocations_sku_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_allocations_order_item_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_allocations_inventory_location_id'))

    op.drop_table('shopping_mall_inventory_allocations')
    with op.batch_alter_table('shopping_mall_wishlist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wishlist_items_wishlist_id'))
        batch_op.drop_index(batch_op.f('ix_wishlist_items_sku_id'))

    op.drop_table('shopping_mall_wishlist_items')
    with op.batch_alter_table('shopping_mall_support_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_notes_support_case_id'))
        batch_op.drop_index(batch_op.f('ix_support_notes_author_user_id'))

    op.drop_table('shopping_mall_support_notes')
    with op.batch_alter_table('shopping_mall_support_case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_case_events_support_case_id'))
        batch_op.drop_index(batch_op.f('ix_support_case_events_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_support_case_events_actor_user_id'))

    op.drop_table('shopping_mall_support_case_events')
    with op.batch_alter_table('shopping_mall_sku_option_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sku_option_values_sku_id'))
        batch_op.drop_index(batch_op.f('ix_sku_option_values_option_value_id'))
        batch_op.drop_index(batch_op.f('ix_sku_option_values_option_type_id'))

    op.drop_table('shopping_mall_sku_option_values')
    with op.batch_alter_table('shopping_mall_return_shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_shipments_status'))
        batch_op.drop_index(batch_op.f('ix_return_shipments_return_request_id'))
        batch_op.drop_index(batch_op.f('ix_return_shipments_carrier_id'))

    op.drop_table('shopping_mall_return_shipments')
    with op.batch_alter_table('shopping_mall_refund_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_requests_status'))
        batch_op.drop_index(batch_op.f('ix_refund_requests_return_request_id'))
        batch_op.drop_index(batch_op.f('ix_refund_requests_requested_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_refund_requests_order_id'))
        batch_op.drop_index(batch_op.f('ix_refund_requests_approved_by_user_id'))

    op.drop_table('shopping_mall_refund_requests')
    with op.batch_alter_table('shopping_mall_rating_aggregates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_aggregates_sku_id'))
        batch_op.drop_index(batch_op.f('ix_rating_aggregates_product_id'))

    op.drop_table('shopping_mall_rating_aggregates')
    with op.batch_alter_table('shopping_mall_promotion_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_rules_sku_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_rules_seller_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_rules_promotion_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_rules_product_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_rules_category_id'))

    op.drop_table('shopping_mall_promotion_rules')
    with op.batch_alter_table('shopping_mall_product_attribute_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_attribute_values_product_attribute_id'))

    op.drop_table('shopping_mall_product_attribute_values')
    with op.batch_alter_table('shopping_mall_order_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_items_sku_id'))
        batch_op.drop_index(batch_op.f('ix_order_items_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_items_order_id'))

    op.drop_table('shopping_mall_order_items')
    with op.batch_alter_table('shopping_mall_inventory_reservations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_user_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_status'))
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_sku_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_reservation_expires_at'))
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_order_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_inventory_location_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_reservations_cart_id'))

    op.drop_table('shopping_mall_inventory_reservations')
    with op.batch_alter_table('shopping_mall_inventory_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_records_sku_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_records_inventory_location_id'))

    op.drop_table('shopping_mall_inventory_records')
    with op.batch_alter_table('shopping_mall_inventory_adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_adjustments_sku_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_adjustments_inventory_location_id'))
        batch_op.drop_index(batch_op.f('ix_inventory_adjustments_adjusted_by_user_id'))

    op.drop_table('shopping_mall_inventory_adjustments')
    with op.batch_alter_table('shopping_mall_chargebacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chargebacks_status'))
        batch_op.drop_index(batch_op.f('ix_chargebacks_seller_id'))
        batch_op.drop_index(batch_op.f('ix_chargebacks_reserve_id'))
        batch_op.drop_index(batch_op.f('ix_chargebacks_payout_id'))
        batch_op.drop_index(batch_op.f('ix_chargebacks_payment_capture_id'))
        batch_op.drop_index(batch_op.f('ix_chargebacks_order_id'))
        batch_op.drop_index(batch_op.f('ix_chargebacks_opened_at'))

    op.drop_table('shopping_mall_chargebacks')
    with op.batch_alter_table('shopping_mall_cart_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_items_sku_id'))
        batch_op.drop_index(batch_op.f('ix_cart_items_cart_id'))

    op.drop_table('shopping_mall_cart_items')
    with op.batch_alter_table('shopping_mall_support_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_cases_status'))
        batch_op.drop_index(batch_op.f('ix_support_cases_sla_due_at'))
        batch_op.drop_index(batch_op.f('ix_support_cases_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_support_cases_seller_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_cases_priority'))
        batch_op.drop_index(batch_op.f('ix_support_cases_order_id'))
        batch_op.drop_index(batch_op.f('ix_support_cases_last_event_at'))
        batch_op.drop_index(batch_op.f('ix_support_cases_customer_user_id'))
        batch_op.drop_index(batch_op.f('ix_support_cases_assigned_to_user_id'))

    op.drop_table('shopping_mall_support_cases')
    with op.batch_alter_table('shopping_mall_skus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skus_status'))
        batch_op.drop_index(batch_op.f('ix_skus_product_id'))

    op.drop_table('shopping_mall_skus')
    with op.batch_alter_table('shopping_mall_shipment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipment_events_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_shipment_events_event_at'))

    op.drop_table('shopping_mall_shipment_events')
    with op.batch_alter_table('shopping_mall_return_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_requests_status'))
        batch_op.drop_index(batch_op.f('ix_return_requests_requested_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_return_requests_original_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_return_requests_order_id'))

    op.drop_table('shopping_mall_return_requests')
    with op.batch_alter_table('shopping_mall_reserves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reserves_status'))
        batch_op.drop_index(batch_op.f('ix_reserves_seller_id'))
        batch_op.drop_index(batch_op.f('ix_reserves_released_shopping_mall_payout_id'))
        batch_op.drop_index(batch_op.f('ix_reserves_order_id'))

    op.drop_table('shopping_mall_reserves')
    with op.batch_alter_table('shopping_mall_product_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_options_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_options_option_type_id'))

    op.drop_table('shopping_mall_product_options')
    with op.batch_alter_table('shopping_mall_product_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_media_product_id'))

    op.drop_table('shopping_mall_product_media')
    with op.batch_alter_table('shopping_mall_product_interval_sale_stats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_interval_sale_stats_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_interval_sale_stats_aggregated_from'))

    op.drop_table('shopping_mall_product_interval_sale_stats')
    with op.batch_alter_table('shopping_mall_product_daily_sale_stats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_daily_sale_stats_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_daily_sale_stats_aggregated_date'))

    op.drop_table('shopping_mall_product_daily_sale_stats')
    with op.batch_alter_table('shopping_mall_product_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_categories_product_id'))
        batch_op.drop_index(batch_op.f('ix_product_categories_category_id'))

    op.drop_table('shopping_mall_product_categories')
    with op.batch_alter_table('shopping_mall_product_attributes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_attributes_product_id'))

    op.drop_table('shopping_mall_product_attributes')
    with op.batch_alter_table('shopping_mall_payment_captures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_captures_status'))
        batch_op.drop_index(batch_op.f('ix_payment_captures_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_captures_payment_id'))

    op.drop_table('shopping_mall_payment_captures')
    with op.batch_alter_table('shopping_mall_payment_authorizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_authorizations_status'))
        batch_op.drop_index(batch_op.f('ix_payment_authorizations_payment_id'))
        batch_op.drop_index(batch_op.f('ix_payment_authorizations_expires_at'))

    op.drop_table('shopping_mall_payment_authorizations')
    with op.batch_alter_table('shopping_mall_shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_store_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_status'))
        batch_op.drop_index(batch_op.f('ix_shipments_order_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_carrier_id'))

    op.drop_table('shopping_mall_shipments')
    with op.batch_alter_table('shopping_mall_seller_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_orders_store_id'))
        batch_op.drop_index(batch_op.f('ix_seller_orders_status'))
        batch_op.drop_index(batch_op.f('ix_seller_orders_order_id'))

    op.drop_table('shopping_mall_seller_orders')
    with op.batch_alter_table('shopping_mall_seller_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_addresses_store_id'))
        batch_op.drop_index(batch_op.f('ix_seller_addresses_seller_id'))

    op.drop_table('shopping_mall_seller_addresses')
    with op.batch_alter_table('shopping_mall_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_store_id'))
        batch_op.drop_index(batch_op.f('ix_products_status'))
        batch_op.drop_index(batch_op.f('ix_products_category_id'))
        batch_op.drop_index(batch_op.f('ix_products_brand_id'))

    op.drop_table('shopping_mall_products')
    with op.batch_alter_table('shopping_mall_payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payouts_status'))
        batch_op.drop_index(batch_op.f('ix_payouts_seller_payout_account_id'))
        batch_op.drop_index(batch_op.f('ix_payouts_seller_id'))
        batch_op.drop_index(batch_op.f('ix_payouts_scheduled_for'))

    op.drop_table('shopping_mall_payouts')
    with op.batch_alter_table('shopping_mall_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_user_id'))
        batch_op.drop_index(batch_op.f('ix_payments_status'))
        batch_op.drop_index(batch_op.f('ix_payments_payment_method_id'))

    op.drop_table('shopping_mall_payments')
    with op.batch_alter_table('shopping_mall_order_status_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_status_history_triggered_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_order_status_history_status'))
        batch_op.drop_index(batch_op.f('ix_order_status_history_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_order_status_history_order_id'))

    op.drop_table('shopping_mall_order_status_history')
    with op.batch_alter_table('shopping_mall_inventory_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inventory_locations_store_id'))

    op.drop_table('shopping_mall_inventory_locations')
    with op.batch_alter_table('shopping_mall_coupon_redemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coupon_redemptions_status'))
        batch_op.drop_index(batch_op.f('ix_coupon_redemptions_redeemed_at'))
        batch_op.drop_index(batch_op.f('ix_coupon_redemptions_order_id'))
        batch_op.drop_index(batch_op.f('ix_coupon_redemptions_customer_id'))
        batch_op.drop_index(batch_op.f('ix_coupon_redemptions_coupon_id'))
        batch_op.drop_index(batch_op.f('ix_coupon_redemptions_cart_id'))

    op.drop_table('shopping_mall_coupon_redemptions')
    with op.batch_alter_table('shopping_mall_cart_coupons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_coupons_coupon_id'))
        batch_op.drop_index(batch_op.f('ix_cart_coupons_cart_id'))
        batch_op.drop_index(batch_op.f('ix_cart_coupons_applied_at'))

    op.drop_table('shopping_mall_cart_coupons')
    with op.batch_alter_table('shopping_mall_cancellation_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cancellation_requests_status'))
        batch_op.drop_index(batch_op.f('ix_cancellation_requests_requested_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_cancellation_requests_order_id'))
        batch_op.drop_index(batch_op.f('ix_cancellation_requests_approved_by_user_id'))

    op.drop_table('shopping_mall_cancellation_requests')
    with op.batch_alter_table('shopping_mall_abandoned_cart_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_abandoned_cart_events_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_abandoned_cart_events_cart_id'))

    op.drop_table('shopping_mall_abandoned_cart_events')
    with op.batch_alter_table('shopping_mall_wishlists', schema=None) as batch_op:
        batch_op.drop_index('uq_wishlists_user_name', sqlite_where=sa.text('shopping_mall_user_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('shopping_mall_user_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.drop_index('uq_wishlists_guest_name', sqlite_where=sa.text('shopping_mall_guest_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('shopping_mall_guest_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_wishlists_user_id'))
        batch_op.drop_index(batch_op.f('ix_wishlists_guest_id'))

    op.drop_table('shopping_mall_wishlists')
    with op.batch_alter_table('shopping_mall_user_security_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_security_events_user_session_id'))
        batch_op.drop_index(batch_op.f('ix_user_security_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_security_events_occurred_at'))

    op.drop_table('shopping_mall_user_security_events')
    with op.batch_alter_table('shopping_mall_stores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stores_status'))
        batch_op.drop_index(batch_op.f('ix_stores_seller_id'))

    op.drop_table('shopping_mall_stores')
    with op.batch_alter_table('shopping_mall_seller_verifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_verifications_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_seller_verifications_state'))
        batch_op.drop_index(batch_op.f('ix_seller_verifications_seller_id'))
        batch_op.drop_index(batch_op.f('ix_seller_verifications_expires_at'))
        batch_op.drop_index(batch_op.f('ix_seller_verifications_approved_by_user_id'))

    op.drop_table('shopping_mall_seller_verifications')
    with op.batch_alter_table('shopping_mall_seller_payout_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_payout_accounts_status'))
        batch_op.drop_index(batch_op.f('ix_seller_payout_accounts_seller_id'))

    op.drop_table('shopping_mall_seller_payout_accounts')
    with op.batch_alter_table('shopping_mall_payment_methods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_methods_user_id'))
        batch_op.drop_index(batch_op.f('ix_payment_methods_user_address_id'))

    op.drop_table('shopping_mall_payment_methods')
    with op.batch_alter_table('shopping_mall_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_user_id'))
        batch_op.drop_index(batch_op.f('ix_orders_status'))
        batch_op.drop_index(batch_op.f('ix_orders_shipping_address_id'))
        batch_op.drop_index(batch_op.f('ix_orders_placed_at'))
        batch_op.drop_index(batch_op.f('ix_orders_expires_at'))
        batch_op.drop_index(batch_op.f('ix_orders_billing_address_id'))

    op.drop_table('shopping_mall_orders')
    with op.batch_alter_table('shopping_mall_maker_checker_approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maker_checker_approvals_approver_user_id'))
        batch_op.drop_index(batch_op.f('ix_maker_checker_approvals_admin_action_id'))

    op.drop_table('shopping_mall_maker_checker_approvals')
    with op.batch_alter_table('shopping_mall_coupons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coupons_status'))
        batch_op.drop_index(batch_op.f('ix_coupons_promotion_id'))
        batch_op.drop_index(batch_op.f('ix_coupons_expires_at'))
        batch_op.drop_index(batch_op.f('ix_coupons_customer_id'))

    op.drop_table('shopping_mall_coupons')
    with op.batch_alter_table('shopping_mall_carts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carts_user_id'))
        batch_op.drop_index(batch_op.f('ix_carts_source_cart_id'))
        batch_op.drop_index(batch_op.f('ix_carts_guest_id'))
        batch_op.drop_index(batch_op.f('ix_carts_expires_at'))

    op.drop_table('shopping_mall_carts')
    with op.batch_alter_table('shopping_mall_audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_admin_action_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_user_id'))

    op.drop_table('shopping_mall_audit_events')
    with op.batch_alter_table('shopping_mall_user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_expires_at'))

    op.drop_table('shopping_mall_user_sessions')
    with op.batch_alter_table('shopping_mall_user_balances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_balances_user_id'))

    op.drop_table('shopping_mall_user_balances')
    with op.batch_alter_table('shopping_mall_user_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_addresses_user_id'))

    op.drop_table('shopping_mall_user_addresses')
    with op.batch_alter_table('shopping_mall_systemadmin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_systemadmin_granted_by_user_id'))

    op.drop_table('shopping_mall_systemadmin')
    with op.batch_alter_table('shopping_mall_supportagent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supportagent_granted_by_user_id'))

    op.drop_table('shopping_mall_supportagent')
    with op.batch_alter_table('shopping_mall_sellers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sellers_state'))

    op.drop_table('shopping_mall_sellers')
    with op.batch_alter_table('shopping_mall_seller', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_granted_by_user_id'))

    op.drop_table('shopping_mall_seller')
    with op.batch_alter_table('shopping_mall_risk_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_rules_updated_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_risk_rules_priority'))
        batch_op.drop_index(batch_op.f('ix_risk_rules_created_by_user_id'))

    op.drop_table('shopping_mall_risk_rules')
    with op.batch_alter_table('shopping_mall_policy_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_versions_policy_id'))

    op.drop_table('shopping_mall_policy_versions')
    with op.batch_alter_table('shopping_mall_option_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_option_values_option_type_id'))

    op.drop_table('shopping_mall_option_values')
    with op.batch_alter_table('shopping_mall_operationsmanager', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operationsmanager_granted_by_user_id'))

    op.drop_table('shopping_mall_operationsmanager')
    with op.batch_alter_table('shopping_mall_guest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guest_granted_by_user_id'))

    op.drop_table('shopping_mall_guest')
    with op.batch_alter_table('shopping_mall_financemanager', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_financemanager_granted_by_user_id'))

    op.drop_table('shopping_mall_financemanager')
    with op.batch_alter_table('shopping_mall_data_exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_exports_status'))
        batch_op.drop_index(batch_op.f('ix_data_exports_requested_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_data_exports_expires_at'))
        batch_op.drop_index(batch_op.f('ix_data_exports_approved_by_user_id'))

    op.drop_table('shopping_mall_data_exports')
    with op.batch_alter_table('shopping_mall_customer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_granted_by_user_id'))

    op.drop_table('shopping_mall_customer')
    with op.batch_alter_table('shopping_mall_contentmoderator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contentmoderator_granted_by_user_id'))

    op.drop_table('shopping_mall_contentmoderator')
    with op.batch_alter_table('shopping_mall_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_user_id'))

    op.drop_table('shopping_mall_consents')
    with op.batch_alter_table('shopping_mall_admin_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_actions_status'))
        batch_op.drop_index(batch_op.f('ix_admin_actions_requested_by_user_id'))
        batch_op.drop_index(batch_op.f('ix_admin_actions_performed_by_user_id'))

    op.drop_table('shopping_mall_admin_actions')
    with op.batch_alter_table('shopping_mall_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_status'))

    op.drop_table('shopping_mall_users')
    with op.batch_alter_table('shopping_mall_sign_in_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_attempts_email_key_at')
        batch_op.drop_index('ix_sign_in_attempts_client_ip_at')

    op.drop_table('shopping_mall_sign_in_attempts')
    with op.batch_alter_table('shopping_mall_promotions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotions_status'))
        batch_op.drop_index(batch_op.f('ix_promotions_priority'))

    op.drop_table('shopping_mall_promotions')
    with op.batch_alter_table('shopping_mall_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_status'))

    op.drop_table('shopping_mall_policies')
    op.drop_table('shopping_mall_order_sequences')
    op.drop_table('shopping_mall_option_types')
    op.drop_table('shopping_mall_number_sequences')
    op.drop_table('shopping_mall_locales')
    op.drop_table('shopping_mall_feature_flags')
    with op.batch_alter_table('shopping_mall_configurations', schema=None) as batch_op:
        batch_op.drop_index('uq_configurations_scope_key', sqlite_where=sa.text('scope IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('scope IS NOT NULL AND deleted_at IS NULL'))
        batch_op.drop_index('uq_configurations_root_key', sqlite_where=sa.text('scope IS NULL AND deleted_at IS NULL'), postgresql_where=sa.text('scope IS NULL AND deleted_at IS NULL'))

    op.drop_table('shopping_mall_configurations')
    with op.batch_alter_table('shopping_mall_categories', schema=None) as batch_op:
        batch_op.drop_index('uq_categories_root_slug', sqlite_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'))
        batch_op.drop_index('uq_categories_root_name', sqlite_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NULL AND deleted_at IS NULL'))
        batch_op.drop_index('uq_categories_parent_id_slug', sqlite_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.drop_index('uq_categories_parent_id_name', sqlite_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('parent_id IS NOT NULL AND deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_categories_status'))
        batch_op.drop_index(batch_op.f('ix_categories_parent_id'))

    op.drop_table('shopping_mall_categories')
    op.drop_table('shopping_mall_carriers')
    op.drop_table('shopping_mall_brands')


MV = "mv_shopping_mall_product_rating_aggregates"
ROLLUP_SELECT = """
SELECT
    product_id AS id,
    product_id,
    CAST(CASE WHEN SUM(total_reviews) > 0
         THEN ROUND(SUM(average_rating * total_reviews) / SUM(total_reviews), 4)
         ELSE 0 END AS NUMERIC(6, 4)) AS average_rating,
    CAST(SUM(total_reviews) AS INTEGER) AS total_reviews,
    CAST(SUM(ratings_1_count) AS INTEGER) AS ratings_1_count,
    CAST(SUM(ratings_2_count) AS INTEGER) AS ratings_2_count,
    CAST(SUM(ratings_3_count) AS INTEGER) AS ratings_3_count,
    CAST(SUM(ratings_4_count) AS INTEGER) AS ratings_4_count,
    CAST(SUM(ratings_5_count) AS INTEGER) AS ratings_5_count,
    MAX(last_approved_review_at) AS last_approved_review_at,
    MIN(created_at) AS created_at,
    CURRENT_TIMESTAMP AS updated_at
FROM shopping_mall_rating_aggregates
GROUP BY product_id
"""


def create_product_rating_rollup():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE MATERIALIZED VIEW {MV} AS {ROLLUP_SELECT} WITH DATA")
        # REFRESH ... CONCURRENTLY needs a unique index.
        op.execute(f"CREATE UNIQUE INDEX uq_mv_product_rating_aggregates_product_id ON {MV} (product_id)")
        return
    op.create_table(
        MV,
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("average_rating", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("total_reviews", sa.Integer(), nullable=False),
        sa.Column("ratings_1_count", sa.Integer(), nullable=False),
        sa.Column("ratings_2_count", sa.Integer(), nullable=False),
        sa.Column("ratings_3_count", sa.Integer(), nullable=False),
        sa.Column("ratings_4_count", sa.Integer(), nullable=False),
        sa.Column("ratings_5_count", sa.Integer(), nullable=False),
        sa.Column("last_approved_review_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mv_shopping_mall_product_rating_aggregates"),
        sa.UniqueConstraint("product_id", name="uq_mv_product_rating_aggregates_product_id"),
    )


def drop_product_rating_rollup():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {MV}")
    else:
        op.drop_table(MV)


def create_audit_append_only_trigger():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION shopping_mall_audit_events_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'shopping_mall_audit_events is append-only (% refused)', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
        """)
        op.execute("""
            CREATE TRIGGER shopping_mall_audit_events_append_only
            BEFORE UPDATE OR DELETE ON shopping_mall_audit_events
            FOR EACH ROW EXECUTE FUNCTION shopping_mall_audit_events_append_only()
        """)
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""
            CREATE TRIGGER shopping_mall_audit_events_no_{event.lower()}
            BEFORE {event} ON shopping_mall_audit_events
            BEGIN SELECT RAISE(ABORT, 'shopping_mall_audit_events is append-only'); END
        """)


def drop_audit_append_only_trigger():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS shopping_mall_audit_events_append_only ON shopping_mall_audit_events")
        op.execute("DROP FUNCTION IF EXISTS shopping_mall_audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS shopping_mall_audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS shopping_mall_audit_events_no_delete")
