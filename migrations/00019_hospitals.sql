-- +goose Up

-- The hospital directory: where a need's donors go. aliases are the short
-- names admins type ("Viện Huyết học", "BV 19-8"), matched without
-- diacritics when a need is filed (urgent.FindHospital). province is a
-- province code (package province: the 34 units since 1 July 2025); ward is
-- the commune or ward of the two-level units, '' when not known. reception
-- is where in the hospital donors go, hours when it receives them; both ''
-- until an admin who knows them fills them in (/hospital).
CREATE TABLE hospitals (
    id         bigserial   PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    aliases    text[]      NOT NULL DEFAULT '{}',
    province   text        NOT NULL CHECK (province ~ '^[a-z]{2,4}$'),
    ward       text        NOT NULL DEFAULT '' CHECK (length(ward) <= 120),
    address    text        NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
    map_url    text        NOT NULL DEFAULT '' CHECK (map_url = '' OR map_url ~ '^https://'),
    reception  text        NOT NULL DEFAULT '' CHECK (length(reception) <= 200),
    hours      text        NOT NULL DEFAULT '' CHECK (length(hours) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A need names its hospital as typed; hospital_id is set when that matched
-- the directory. province is where the need is (its hospital's, else its
-- club's; NULL: not known, everyone is reached); other_provinces is set when
-- the admin widened it to donors of other provinces.
ALTER TABLE needs
    ADD COLUMN hospital_id     bigint  REFERENCES hospitals (id) ON DELETE SET NULL,
    ADD COLUMN province        text    CHECK (province ~ '^[a-z]{2,4}$'),
    ADD COLUMN other_provinces boolean NOT NULL DEFAULT false;

-- Where a donor lives, if they say (profile edit): urgent needs of their
-- province reach them first. A club's province is where it mostly acts.
ALTER TABLE donors
    ADD COLUMN province text CHECK (province ~ '^[a-z]{2,4}$'),
    ADD COLUMN ward     text CHECK (length(ward) BETWEEN 1 AND 120);
ALTER TABLE units ADD COLUMN province text CHECK (province ~ '^[a-z]{2,4}$');

-- The national and large transfusion centres, each with its source. No
-- source in reach gave reception hours, so none is seeded. Cần Thơ's
-- Bệnh viện Huyết học - Truyền máu (the regional centre) is left out: no
-- source for its address was found; an admin adds it with /hospital.

-- 14 Trần Thái Tông, Cầu Giấy (before the merger: Dịch Vọng ward, Cầu Giấy
-- district), http://easterngroup.com.vn/khach-hang/vien-huyet-hoc-va-truyen-mau-tw/vien-huyet-hoc-va-truyen-mau-tw.aspx
-- ("ĐC: 14 Trần Thái Tông, Cầu giấy, HN"). Its ward since 1 July 2025 (under
-- Resolution 1656/NQ-UBTVQH15, https://nld.com.vn/chi-tiet-126-phuong-xa-o-ha-noi-sau-sap-nhap-196250616193322249.htm)
-- was not confirmed from a source: ward left empty for an admin to fill.
INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours) VALUES
    ('Viện Huyết học - Truyền máu Trung ương',
     ARRAY['Viện Huyết học', 'Viện Huyết học - Truyền máu TW', 'Viện HHTM', 'NIHBT'],
     'hn', '', '14 Trần Thái Tông, Hà Nội',
     'https://www.google.com/maps/search/?api=1&query=Vi%E1%BB%87n+Huy%E1%BA%BFt+h%E1%BB%8Dc+-+Truy%E1%BB%81n+m%C3%A1u+Trung+%C6%B0%C6%A1ng%2C+14+Tr%E1%BA%A7n+Th%C3%A1i+T%C3%B4ng%2C+H%C3%A0+N%E1%BB%99i',
     '', '');

-- Bệnh viện 19-8 (Ministry of Public Security), 9 Trần Bình: the street
-- address as the hospital publishes it; no source for it or for its ward
-- since 1 July 2025 was found in the search corpus: ward left empty.
INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours) VALUES
    ('Bệnh viện 19-8',
     ARRAY['BV 19-8', 'Bệnh viện 19/8', 'Bệnh viện 19-8 Bộ Công an', '19-8'],
     'hn', '', '9 Trần Bình, Hà Nội',
     'https://www.google.com/maps/search/?api=1&query=B%E1%BB%87nh+vi%E1%BB%87n+19-8%2C+9+Tr%E1%BA%A7n+B%C3%ACnh%2C+H%C3%A0+N%E1%BB%99i',
     '', '');

-- Bệnh viện Bạch Mai, 78 Giải Phóng (before the merger: Phương Mai ward,
-- Đống Đa district); the ward since 1 July 2025 was not confirmed from a
-- source: ward left empty.
INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours) VALUES
    ('Bệnh viện Bạch Mai',
     ARRAY['BV Bạch Mai', 'Bạch Mai'],
     'hn', '', '78 Giải Phóng, Hà Nội',
     'https://www.google.com/maps/search/?api=1&query=B%E1%BB%87nh+vi%E1%BB%87n+B%E1%BA%A1ch+Mai%2C+78+Gi%E1%BA%A3i+Ph%C3%B3ng%2C+H%C3%A0+N%E1%BB%99i',
     '', '');

-- Bệnh viện Chợ Rẫy: "201B Nguyễn Chí Thanh, Phường 12, Quận 5" and its
-- Trung tâm Truyền máu Chợ Rẫy, https://vi.m.wikipedia.org/wiki/Ch%E1%BB%A3_R%E1%BA%ABy;
-- Quận 5's wards 11, 12, 13 and 14 make phường Chợ Lớn,
-- https://vnexpress.net/phuong-an-sap-xep-va-ten-102-phuong-moi-tai-tp-hcm-4875543.html
-- (the city's plan of April 2025, as adopted).
INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours) VALUES
    ('Bệnh viện Chợ Rẫy',
     ARRAY['BV Chợ Rẫy', 'Chợ Rẫy', 'Trung tâm Truyền máu Chợ Rẫy'],
     'hcm', 'phường Chợ Lớn', '201B Nguyễn Chí Thanh, phường Chợ Lớn, TP. Hồ Chí Minh',
     'https://www.google.com/maps/search/?api=1&query=B%E1%BB%87nh+vi%E1%BB%87n+Ch%E1%BB%A3+R%E1%BA%ABy%2C+201B+Nguy%E1%BB%85n+Ch%C3%AD+Thanh%2C+ph%C6%B0%E1%BB%9Dng+Ch%E1%BB%A3+L%E1%BB%9Bn%2C+TP.+H%E1%BB%93+Ch%C3%AD+Minh',
     'Trung tâm Truyền máu Chợ Rẫy', '');

-- Bệnh viện Truyền máu Huyết học TP.HCM and its blood bank ("Ngân hàng máu
-- của Bệnh viện Truyền máu huyết học", https://danviet.vn/hien-mau-mo-tim.html).
-- 118 Hồng Bàng is the address the hospital publishes (before the merger in
-- Quận 5, so likely phường Chợ Lớn or An Đông now); neither was confirmed
-- from a source: ward left empty.
INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours) VALUES
    ('Bệnh viện Truyền máu Huyết học TP.HCM',
     ARRAY['Bệnh viện Truyền máu Huyết học', 'BV Truyền máu Huyết học', 'Truyền máu Huyết học', 'BV TMHH'],
     'hcm', '', '118 Hồng Bàng, TP. Hồ Chí Minh',
     'https://www.google.com/maps/search/?api=1&query=B%E1%BB%87nh+vi%E1%BB%87n+Truy%E1%BB%81n+m%C3%A1u+Huy%E1%BA%BFt+h%E1%BB%8Dc+TP.HCM%2C+118+H%E1%BB%93ng+B%C3%A0ng%2C+TP.+H%E1%BB%93+Ch%C3%AD+Minh',
     'Ngân hàng máu của bệnh viện', '');

-- Bệnh viện Trung ương Huế: "16 Lê Lợi Street, Thuận Hóa, Huế",
-- https://en.wikipedia.org/wiki/Hu%E1%BA%BF_Central_Hospital; its Trung tâm
-- Huyết học - Truyền máu receives donors at the fixed point 15B Trương Định,
-- https://baothuathienhue.vn/y-te-suc-khoe/tiep-nhan-250-don-vi-mau-phuc-vu-cap-cuu-va-dieu-tri-105986.html
INSERT INTO hospitals (name, aliases, province, ward, address, map_url, reception, hours) VALUES
    ('Bệnh viện Trung ương Huế',
     ARRAY['BV Trung ương Huế', 'Trung ương Huế', 'BVTW Huế'],
     'hue', 'phường Thuận Hóa', '16 Lê Lợi, phường Thuận Hóa, Huế',
     'https://www.google.com/maps/search/?api=1&query=B%E1%BB%87nh+vi%E1%BB%87n+Trung+%C6%B0%C6%A1ng+Hu%E1%BA%BF%2C+16+L%C3%AA+L%E1%BB%A3i%2C+ph%C6%B0%E1%BB%9Dng+Thu%E1%BA%ADn+H%C3%B3a%2C+Hu%E1%BA%BF',
     'Điểm hiến máu cố định 15B Trương Định (Trung tâm Huyết học - Truyền máu)', '');

-- +goose Down
ALTER TABLE units DROP COLUMN province;
ALTER TABLE donors DROP COLUMN ward, DROP COLUMN province;
ALTER TABLE needs DROP COLUMN other_provinces, DROP COLUMN province, DROP COLUMN hospital_id;
DROP TABLE hospitals;
