-- +goose Up

-- A slot tap's registration in one round trip: the slot's row lock, then
-- the insert. They cannot be one plain statement: under READ COMMITTED a
-- statement counts the slot's seats on the snapshot it took before waiting
-- for the lock, so it would miss a seat taken by the lock's previous
-- holder. Each statement of a volatile function takes a snapshot of its
-- own, so the insert here counts after the lock is held. When nothing is
-- inserted, donor_known and slot_open say why (both NULL: no such slot;
-- both true: a live registration for the drive already).
-- +goose StatementBegin
CREATE FUNCTION register_in_slot(p_telegram_id bigint, p_slot_id bigint, p_now timestamptz, p_credit boolean,
    OUT id bigint, OUT donor_id bigint, OUT drive_id bigint, OUT slot_id bigint, OUT status text,
    OUT allowed_volume_ml int, OUT created_at timestamptz, OUT updated_at timestamptz, OUT "position" int,
    OUT recalled boolean, OUT donor_known boolean, OUT slot_open boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM drive_slots sl WHERE sl.id = p_slot_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO registrations AS r (donor_id, drive_id, slot_id, status, recall_id)
    SELECT dn.id, sl.drive_id, sl.id,
        CASE WHEN (SELECT count(*) FROM registrations c
            WHERE c.slot_id = sl.id AND c.status = 'confirmed') < sl.capacity
        THEN 'confirmed' ELSE 'waitlisted' END,
        CASE WHEN p_credit THEN (SELECT rc.id FROM recalls rc
            WHERE rc.donor_id = dn.id AND sl.drive_id = ANY(rc.drive_ids) AND rc.sent_at <= p_now
            ORDER BY rc.sent_at DESC, rc.id DESC LIMIT 1) END
    FROM drive_slots sl JOIN drives d ON d.id = sl.drive_id JOIN donors dn ON dn.telegram_id = p_telegram_id
    WHERE sl.id = p_slot_id AND d.status = 'published' AND sl.starts_at > p_now
    ON CONFLICT (donor_id, drive_id) WHERE status IN ('confirmed', 'waitlisted') DO NOTHING
    RETURNING r.id, r.donor_id, r.drive_id, r.slot_id, r.status, r.allowed_volume_ml, r.created_at, r.updated_at,
        CASE WHEN r.status = 'waitlisted' THEN 1 + (SELECT count(*) FROM registrations w
            WHERE w.slot_id = r.slot_id AND w.status = 'waitlisted' AND w.id <> r.id
            AND (w.queued_at, w.id) < (r.queued_at, r.id)) ELSE 0 END,
        r.recall_id IS NOT NULL
    INTO id, donor_id, drive_id, slot_id, status, allowed_volume_ml, created_at, updated_at, "position", recalled;
    IF FOUND THEN
        donor_known := true;
        slot_open := true;
        RETURN;
    END IF;
    donor_known := EXISTS (SELECT 1 FROM donors dn WHERE dn.telegram_id = p_telegram_id);
    SELECT d.status = 'published' AND sl.starts_at > p_now INTO slot_open
    FROM drive_slots sl JOIN drives d ON d.id = sl.drive_id WHERE sl.id = p_slot_id;
END
$$;
-- +goose StatementEnd

-- A donor's cancel in one round trip: the registration's slot locked,
-- then the registration, in the order every writer uses (slots by id,
-- then registrations), so that a cancel and the promotion of the same
-- waitlisted donor cannot deadlock; the cancel, counting the calendar
-- file's update (seq NULL: no file was ever sent); and, when it freed a
-- confirmed seat, the first of the waitlist confirmed. Each statement
-- takes its own snapshot, so the promotion counts the seats after the
-- cancel. It returns one row when it cancelled: the registration as it
-- was (reg, with its waitlist place), its slot and drive, for the turn to
-- show without reading them again. It returns none when the registration
-- is not found (or another donor's, when p_owner is not 0), not live, or
-- kept moving to another slot while its slot was being locked.
-- +goose StatementBegin
CREATE FUNCTION cancel_registration(p_id bigint, p_owner bigint, p_now timestamptz,
    OUT reg registrations, OUT slot drive_slots, OUT drv drives,
    OUT "position" int, OUT seq int, OUT promoted_id bigint)
RETURNS SETOF record
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_slot bigint;
BEGIN
    FOR attempt IN 1..3 LOOP
        SELECT r.slot_id INTO v_slot FROM registrations r JOIN donors dn ON dn.id = r.donor_id
        WHERE r.id = p_id AND (p_owner = 0 OR dn.telegram_id = p_owner);
        IF NOT FOUND THEN
            RETURN;
        END IF;
        SELECT * INTO slot FROM drive_slots sl WHERE sl.id = v_slot FOR UPDATE;
        SELECT * INTO reg FROM registrations r WHERE r.id = p_id FOR UPDATE;
        EXIT WHEN reg.slot_id = v_slot;
    END LOOP;
    IF reg.slot_id IS DISTINCT FROM v_slot OR reg.status NOT IN ('confirmed', 'waitlisted') THEN
        RETURN;
    END IF;
    SELECT * INTO drv FROM drives d WHERE d.id = reg.drive_id;
    SELECT CASE WHEN r.status = 'waitlisted' THEN 1 + (SELECT count(*) FROM registrations w
            WHERE w.slot_id = r.slot_id AND w.status = 'waitlisted' AND w.id <> r.id
            AND (w.queued_at, w.id) < (r.queued_at, r.id)) ELSE 0 END
    INTO "position" FROM registrations r WHERE r.id = p_id;
    UPDATE registrations r SET status = 'cancelled', updated_at = now(),
        calendar_sequence = r.calendar_sequence + 1
    WHERE r.id = p_id RETURNING r.calendar_sequence INTO seq;
    IF reg.status = 'confirmed' THEN
        UPDATE registrations r SET status = 'confirmed', updated_at = now()
        WHERE r.id = (
            SELECT w.id FROM registrations w
            JOIN drive_slots sl ON sl.id = w.slot_id JOIN drives d ON d.id = sl.drive_id
            WHERE w.slot_id = v_slot AND w.status = 'waitlisted'
              AND d.status = 'published' AND sl.starts_at > p_now
              AND (SELECT count(*) FROM registrations c
                   WHERE c.slot_id = v_slot AND c.status = 'confirmed') < sl.capacity
            ORDER BY w.queued_at, w.id LIMIT 1)
        RETURNING r.id INTO promoted_id;
    END IF;
    RETURN NEXT;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION register_in_slot(bigint, bigint, timestamptz, boolean);
DROP FUNCTION cancel_registration(bigint, bigint, timestamptz);
