-- +goose Up

-- The venue directory of the console's drive form (issue 20): the places
-- drives are held again and again, with their address in today's two
-- levels (province code of package province, and ward or commune). A venue
-- typed in the form is saved here with its drive; one typed again (same
-- province, name and address, case aside) is the same venue.
CREATE TABLE venues (
    id         bigserial   PRIMARY KEY,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    address    text        NOT NULL CHECK (length(address) BETWEEN 1 AND 100),
    ward       text        NOT NULL DEFAULT '' CHECK (length(ward) <= 50),
    province   text        NOT NULL CHECK (province ~ '^[a-z]{2,4}$'),
    created_by bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX venues_place_idx ON venues (province, lower(name), lower(address));

-- What the form picked. drives.venue and drives.hospital keep the text every
-- card shows; these ids only prefill the form when the drive is edited or
-- copied. A directory entry removed leaves its drives' text as it was.
ALTER TABLE drives
    ADD COLUMN venue_id    bigint REFERENCES venues (id) ON DELETE SET NULL,
    ADD COLUMN hospital_id bigint REFERENCES hospitals (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE drives DROP COLUMN hospital_id, DROP COLUMN venue_id;
DROP TABLE venues;
