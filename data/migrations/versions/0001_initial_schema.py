"""initial schema: hospital, patients, bookings, records, outbox, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.String(length=40), nullable=False),
    sa.Column('actor_role', sa.String(length=40), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.CheckConstraint("outcome IN ('success', 'denied', 'failed')", name=op.f('ck_audit_event_outcome')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_patient_at', ['patient_id', 'at'], unique=False)

    op.create_table('portal_meta',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_portal_meta'))
    )
    op.create_table('staff_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("role IN ('appointments_clerk', 'appointments_supervisor', 'system_admin')", name=op.f('ck_staff_member_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_member')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_member_username'))
    )
    op.create_table('trust',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('appointments_phone', sa.String(length=20), nullable=False),
    sa.Column('appointments_email', sa.String(length=120), nullable=False),
    sa.CheckConstraint("code IN ('RWG', 'RAL')", name=op.f('ck_trust_code')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_trust'))
    )
    op.create_table('clinician',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=20), nullable=False),
    sa.Column('given_name', sa.String(length=80), nullable=False),
    sa.Column('family_name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=80), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_clinician_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinician')),
    sa.UniqueConstraint('code', name=op.f('uq_clinician_code'))
    )
    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nhs_number', sa.String(length=10), nullable=True),
    sa.Column('hospital_number', sa.String(length=20), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('date_of_death', sa.Date(), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.Column('mobile', sa.String(length=16), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('letter_preference', sa.String(length=10), nullable=False),
    sa.CheckConstraint("letter_preference IN ('paper', 'paperless')", name=op.f('ck_patient_letter_preference')),
    sa.CheckConstraint("trust_code IN ('RWG', 'RAL')", name=op.f('ck_patient_trust_code')),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_patient_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('hospital_number', name=op.f('uq_patient_hospital_number')),
    sa.UniqueConstraint('nhs_number', name=op.f('uq_patient_nhs_number'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index('ix_patient_dob_postcode', ['date_of_birth', 'postcode'], unique=False)

    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_site_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('code', name=op.f('uq_site_code'))
    )
    op.create_table('clinic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('specialty', sa.String(length=80), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name_safe_in_sms', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_clinic_site_id_site')),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_clinic_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic')),
    sa.UniqueConstraint('code', name=op.f('uq_clinic_code'))
    )
    op.create_table('location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_location_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('site_id', 'name', name=op.f('uq_location_site_id'))
    )
    op.create_table('patient_account',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failed_sign_ins >= 0', name=op.f('ck_patient_account_failed_sign_ins_not_negative')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_patient_account_patient_id_patient')),
    sa.PrimaryKeyConstraint('patient_id', name=op.f('pk_patient_account')),
    sa.UniqueConstraint('email', name=op.f('uq_patient_account_email'))
    )
    op.create_table('test_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('panel', sa.String(length=120), nullable=False),
    sa.Column('test_name', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('value_text', sa.String(length=200), nullable=False),
    sa.Column('value_number', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=True),
    sa.Column('range_low', sa.Float(), nullable=True),
    sa.Column('range_high', sa.Float(), nullable=True),
    sa.Column('range_text', sa.String(length=120), nullable=True),
    sa.Column('flag', sa.String(length=12), nullable=False),
    sa.CheckConstraint("flag IN ('normal', 'high', 'low', 'abnormal', 'no_range')", name=op.f('ck_test_result_flag')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_test_result_patient_id_patient')),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_test_result_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_result'))
    )
    with op.batch_alter_table('test_result', schema=None) as batch_op:
        batch_op.create_index('ix_test_result_patient_taken', ['patient_id', 'taken_at'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('booked_via_ers', sa.Boolean(), nullable=False),
    sa.Column('ubrn', sa.String(length=12), nullable=True),
    sa.Column('discharged_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'discharged')", name=op.f('ck_referral_status')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_referral_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_referral_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_patient_id'), ['patient_id'], unique=False)

    op.create_table('slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_slot_duration_positive')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_slot_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], name=op.f('fk_slot_clinician_id_clinician')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_slot_location_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_slot')),
    sa.UniqueConstraint('clinician_id', 'starts_at', name=op.f('uq_slot_clinician_id'))
    )
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.create_index('ix_slot_clinician_location_start', ['clinician_id', 'location_id', 'starts_at'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('slot_id', sa.Integer(), nullable=True),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('transport_booked', sa.Boolean(), nullable=False),
    sa.Column('interpreter_language', sa.String(length=40), nullable=True),
    sa.Column('times_rescheduled', sa.Integer(), nullable=False),
    sa.Column('reschedule_limit', sa.Integer(), nullable=False),
    sa.Column('rescheduled_from_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_by', sa.String(length=12), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancellation_reason', sa.String(length=500), nullable=True),
    sa.CheckConstraint("cancelled_by IN ('patient', 'hospital', 'staff')", name=op.f('ck_appointment_cancelled_by')),
    sa.CheckConstraint("kind IN ('outpatient_new', 'outpatient_follow_up', 'pre_operative_assessment', 'day_case', 'elective_admission', 'emergency_admission', 'radiology', 'fast_track_diagnostic')", name=op.f('ck_appointment_kind')),
    sa.CheckConstraint("status IN ('booked', 'rescheduled', 'cancelled_by_patient', 'cancelled_by_hospital', 'attended', 'did_not_attend')", name=op.f('ck_appointment_status')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_appointment_duration_positive')),
    sa.CheckConstraint('times_rescheduled <= reschedule_limit', name=op.f('ck_appointment_within_reschedule_limit')),
    sa.CheckConstraint('times_rescheduled >= 0', name=op.f('ck_appointment_times_rescheduled_not_negative')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_appointment_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['clinician_id'], ['clinician.id'], name=op.f('fk_appointment_clinician_id_clinician')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_appointment_location_id_location')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_appointment_patient_id_patient')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_appointment_referral_id_referral')),
    sa.ForeignKeyConstraint(['rescheduled_from_id'], ['appointment.id'], name=op.f('fk_appointment_rescheduled_from_id_appointment')),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], name=op.f('fk_appointment_slot_id_slot')),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_appointment_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('reference', name=op.f('uq_appointment_reference')),
    sa.UniqueConstraint('rescheduled_from_id', name=op.f('uq_appointment_rescheduled_from_id'))
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_patient_start', ['patient_id', 'starts_at'], unique=False)
        batch_op.create_index('uq_appointment_live_slot', ['slot_id'], unique=True, sqlite_where=sa.text("status IN ('booked', 'attended', 'did_not_attend')"), postgresql_where=sa.text("status IN ('booked', 'attended', 'did_not_attend')"))

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('trust_code', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_type', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('appointment_confirmation', 'admission_confirmation', 'clinic_outcome', 'discharge_summary')", name=op.f('ck_document_kind')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_document_size_not_negative')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_document_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_document_patient_id_patient')),
    sa.ForeignKeyConstraint(['trust_code'], ['trust.code'], name=op.f('fk_document_trust_code_trust')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_patient_written', ['patient_id', 'written_at'], unique=False)

    op.create_table('sms_message',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('to_number', sa.String(length=16), nullable=False),
    sa.Column('template', sa.String(length=32), nullable=False),
    sa.Column('body', sa.String(length=918), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'withdrawn')", name=op.f('ck_sms_message_status')),
    sa.CheckConstraint("template IN ('reminder', 'reschedule_confirmation', 'cancellation_confirmation', 'registration_invitation', 'one_time_code', 'problem_reply')", name=op.f('ck_sms_message_template')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_sms_message_attempts_not_negative')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointment.id'], name=op.f('fk_sms_message_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_sms_message_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_sms_message_dedupe_key'))
    )
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.create_index('ix_sms_message_status_send_after', ['status', 'send_after'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_message_status_send_after')

    op.drop_table('sms_message')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_patient_written')

    op.drop_table('document')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index('uq_appointment_live_slot', sqlite_where=sa.text("status IN ('booked', 'attended', 'did_not_attend')"), postgresql_where=sa.text("status IN ('booked', 'attended', 'did_not_attend')"))
        batch_op.drop_index('ix_appointment_patient_start')

    op.drop_table('appointment')
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_index('ix_slot_clinician_location_start')

    op.drop_table('slot')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_patient_id'))

    op.drop_table('referral')
    with op.batch_alter_table('test_result', schema=None) as batch_op:
        batch_op.drop_index('ix_test_result_patient_taken')

    op.drop_table('test_result')
    op.drop_table('patient_account')
    op.drop_table('location')
    op.drop_table('clinic')
    op.drop_table('site')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_dob_postcode')

    op.drop_table('patient')
    op.drop_table('clinician')
    op.drop_table('trust')
    op.drop_table('staff_member')
    op.drop_table('portal_meta')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_patient_at')

    op.drop_table('audit_event')
