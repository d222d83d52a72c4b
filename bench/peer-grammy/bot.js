// A plain grammY bot with donorbot's load journey (/drives -> open -> slot ->
// 8 screening questions -> /mydrives -> cancel -> yes), written the way grammY's
// documentation shows: webhookCallback with the secret token, sessions in
// Redis, a registration under the slot's row lock. It runs against
// donorbot's schema and fixtures so that cmd/loadgen -target grammy compares
// the two bots on the same work. README.md says what it leaves out.
import http from "node:http";
import { Bot, InlineKeyboard, InputFile, GrammyError, session, webhookCallback } from "grammy";
import { RedisAdapter } from "@grammyjs/storage-redis";
import { Redis } from "ioredis";
import pg from "pg";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const pool = new pg.Pool({ connectionString: env("DATABASE_URL") });
const redis = new Redis(env("REDIS_URL"), { keyPrefix: process.env.REDIS_PREFIX ?? "" });
const bot = new Bot(env("TELEGRAM_BOT_TOKEN"), { client: { apiRoot: env("TELEGRAM_API_URL") } });

const zone = "Asia/Ho_Chi_Minh";
const clock = new Intl.DateTimeFormat("vi-VN", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false });
const day = new Intl.DateTimeFormat("en-GB", { timeZone: zone, day: "2-digit", month: "2-digit", year: "numeric" });

// The screening questions, with donorbot's callback data
// (fl:v1:screening:<key>:a:y|n, b for Back, c for Cancel), so the load
// driver taps them the same way.
const questions = [
  ["donated_before", "Bạn đã từng hiến máu chưa?"],
  ["ill_now", "Hiện tại bạn có đang bị bệnh gì không?"],
  ["chronic", "Bạn đã từng mắc viêm gan B, C, HIV, bệnh tim, ung thư hoặc bệnh mạn tính khác chưa?"],
  ["m12", "Trong 12 tháng gần đây, bạn có phẫu thuật hoặc được truyền máu không?"],
  ["m6", "Trong 6 tháng gần đây, bạn có xăm mình, xỏ lỗ hoặc châm cứu không?"],
  ["m1", "Trong 1 tháng gần đây, bạn có khỏi bệnh nhiễm trùng hoặc tiêm vắc xin sống không?"],
  ["d14", "Trong 14 ngày gần đây, bạn có bị cúm, cảm lạnh, ho, sốt hoặc đau họng không?"],
  ["d7", "Trong 7 ngày gần đây, bạn có dùng kháng sinh, kháng viêm hoặc aspirin không?"],
];

const cb = (step, op, value) => `fl:v1:screening:${step}:${op}` + (value ? `:${value}` : "");

function questionKeyboard(i) {
  const [key] = questions[i];
  const kb = new InlineKeyboard().text("Có", cb(key, "a", "y")).text("Không", cb(key, "a", "n")).row();
  if (i > 0) kb.text("⬅️ Quay lại", cb(key, "b"));
  return kb.text("✖️ Hủy", cb(key, "c"));
}

const ask = (ctx, i) =>
  ctx.reply(`Câu ${i + 1}/${questions.length}\n\n${questions[i][1]}`, { reply_markup: questionKeyboard(i) });

// review lists the answers before they are submitted, as donorbot does,
// with Confirm and a button to change each answer.
function review(ctx, s) {
  s.at = "review";
  const kb = new InlineKeyboard().text("✅ Xác nhận", cb("review", "ok")).row();
  const lines = questions.map(([key, text], i) => {
    kb.text(`✏️ Câu ${i + 1}`, cb("review", "ch", key));
    if (i % 2 === 1) kb.row();
    return `• ${text} ${s.answers[key] ? "Có" : "Không"}`;
  });
  kb.row().text("⬅️ Quay lại", cb("review", "b")).text("✖️ Hủy", cb("review", "c"));
  return ctx.reply(`Xem lại câu trả lời của bạn:\n${lines.join("\n")}`, { reply_markup: kb });
}

// The driver makes its callback query ids up, so the Bot API (fake or real)
// refuses to answer them; a real bot would not see this.
async function answerTap(ctx) {
  try {
    await ctx.answerCallbackQuery();
  } catch (err) {
    if (!(err instanceof GrammyError && err.error_code === 400)) throw err;
  }
}

const closeButtons = (ctx) => ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } });

const driveCard = (d, seats) =>
  `${d.wave ? d.wave + " — " : ""}${d.title}\n📅 ${day.format(d.starts_at)}, ${clock.format(d.starts_at)}–${clock.format(d.ends_at)}` +
  `\n📍 ${d.venue}\n🏥 ${d.hospital}\n🏢 ${d.organizer}\n💺 Còn ${seats} chỗ`;

bot.use(session({ initial: () => ({}), storage: new RedisAdapter({ instance: redis, ttl: 7 * 24 * 3600 }) }));

// The donor's id is looked up once and kept in the session.
bot.use(async (ctx, next) => {
  if (ctx.session.donorId === undefined && ctx.from) {
    const { rows } = await pool.query(
      "SELECT id FROM donors WHERE telegram_id = $1 AND onboarded_at IS NOT NULL",
      [ctx.from.id],
    );
    if (rows.length === 0) return ctx.reply("Bạn cần tạo hồ sơ trước: gõ /start.");
    ctx.session.donorId = Number(rows[0].id);
  }
  await next();
});

bot.command("drives", async (ctx) => {
  const { rows } = await pool.query(
    `SELECT d.id, d.title, d.wave, d.venue, d.hospital, d.organizer, d.starts_at, d.ends_at,
        (SELECT sum(s.capacity) FROM drive_slots s WHERE s.drive_id = d.id)
        - (SELECT count(*) FROM registrations r WHERE r.drive_id = d.id AND r.status = 'confirmed') AS seats
     FROM drives d WHERE d.status = 'published' AND d.ends_at > now() ORDER BY d.starts_at LIMIT 10`,
  );
  if (rows.length === 0) return ctx.reply("Hiện chưa có ngày hội hiến máu nào sắp tới.");
  const kb = new InlineKeyboard();
  for (const d of rows) kb.text(`Đăng ký: ${d.title}`, `drv:v1:open:${d.id}`).row();
  await ctx.reply("🩸 Các ngày hội hiến máu sắp tới:\n\n" + rows.map((d) => driveCard(d, d.seats)).join("\n\n"), {
    reply_markup: kb,
  });
});

bot.callbackQuery(/^drv:v1:open:(\d+)$/, async (ctx) => {
  await answerTap(ctx);
  const driveId = ctx.match[1];
  const drive = await pool.query(
    "SELECT id, title, wave, venue, hospital, organizer, starts_at, ends_at FROM drives WHERE id = $1 AND status = 'published'",
    [driveId],
  );
  if (drive.rows.length === 0) return ctx.reply("Ngày hội này đã đóng.");
  const slots = await pool.query(
    `SELECT s.id, s.starts_at, s.ends_at, s.capacity
        - (SELECT count(*) FROM registrations r WHERE r.slot_id = s.id AND r.status = 'confirmed') AS seats
     FROM drive_slots s WHERE s.drive_id = $1 AND s.starts_at > now() ORDER BY s.starts_at`,
    [driveId],
  );
  const kb = new InlineKeyboard();
  let seats = 0;
  slots.rows.forEach((s, i) => {
    seats += Number(s.seats);
    kb.text(`${clock.format(s.starts_at)}–${clock.format(s.ends_at)} (còn ${s.seats})`, `drv:v1:slot:${driveId}:${s.id}`);
    if (i % 2 === 1) kb.row();
  });
  await ctx.reply(driveCard(drive.rows[0], seats) + "\n\nChọn khung giờ bạn muốn đến:", { reply_markup: kb });
});

// register takes a seat under the slot's row lock, so two donors cannot
// take its last seat together.
async function register(donorId, driveId, slotId) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const slot = await client.query(
      "SELECT capacity FROM drive_slots WHERE id = $1 AND drive_id = $2 AND starts_at > now() FOR UPDATE",
      [slotId, driveId],
    );
    if (slot.rows.length === 0) {
      await client.query("ROLLBACK");
      return { error: "Khung giờ này không còn nữa." };
    }
    const taken = await client.query(
      "SELECT count(*) AS n FROM registrations WHERE slot_id = $1 AND status = 'confirmed'",
      [slotId],
    );
    if (Number(taken.rows[0].n) >= slot.rows[0].capacity) {
      await client.query("ROLLBACK");
      return { error: "Khung giờ này đã hết chỗ." };
    }
    const reg = await client.query(
      "INSERT INTO registrations (donor_id, drive_id, slot_id, status) VALUES ($1, $2, $3, 'confirmed') RETURNING id",
      [donorId, driveId, slotId],
    );
    await client.query("COMMIT");
    return { id: Number(reg.rows[0].id) };
  } catch (err) {
    await client.query("ROLLBACK");
    if (err.code === "23505") return { error: "Bạn đã đăng ký ngày hội này rồi. Gõ /mydrives để xem." };
    throw err;
  } finally {
    client.release();
  }
}

// Like donorbot: answers given in the last 24 hours are offered as still
// true (one tap registers), the first question is asked alone, and the
// others together with "None of these", one by one only on "Yes".
const reuseWindow = 24 * 3600 * 1000;

bot.callbackQuery(/^drv:v1:slot:(\d+):(\d+)$/, async (ctx) => {
  await answerTap(ctx);
  const reg = await register(ctx.session.donorId, ctx.match[1], ctx.match[2]);
  if (reg.error) return ctx.reply(reg.error);
  const last = ctx.session.lastScreening;
  const reuse = last && Date.now() - last.at < reuseWindow;
  ctx.session.screening = { regId: reg.id, at: reuse ? "reuse" : questions[0][0], answers: {} };
  await closeButtons(ctx);
  if (reuse) {
    const kb = new InlineKeyboard().text("✅ Vẫn đúng", cb("reuse", "a", "keep")).row()
      .text("✏️ Trả lời lại", cb("reuse", "a", "again")).row().text("✖️ Hủy", cb("reuse", "c"));
    const lines = questions.map(([key, text]) => `• ${text} ${last.answers[key] ? "Có" : "Không"}`);
    return ctx.reply(`Hôm qua bạn đã trả lời:\n${lines.join("\n")}\n\nCác câu trả lời này vẫn đúng chứ?`, { reply_markup: kb });
  }
  await ctx.reply(
    "Trước khi xác nhận, mời bạn trả lời vài câu hỏi sàng lọc (theo Phiếu đăng ký hiến máu tình nguyện).",
  );
  await ask(ctx, 0);
});

function askGroup(ctx, s) {
  s.at = "group";
  const kb = new InlineKeyboard().text("✅ Không có điều nào", cb("group", "a", "n")).text("Có", cb("group", "a", "y")).row()
    .text("⬅️ Quay lại", cb("group", "b")).text("✖️ Hủy", cb("group", "c"));
  const lines = questions.slice(1).map(([, text], i) => `${i + 2}. ${text}`);
  return ctx.reply(`Câu 2–${questions.length}/${questions.length}\n\nCó điều nào dưới đây đúng với bạn không?\n\n${lines.join("\n\n")}`,
    { reply_markup: kb });
}

function askAt(ctx, s, i) {
  s.at = questions[i][0];
  return ask(ctx, i);
}

bot.callbackQuery(/^fl:v1:screening:(\w+):(a|b|c|ok|ch)(?::(\w+))?$/, async (ctx) => {
  await answerTap(ctx);
  const s = ctx.session.screening;
  const [, step, op, value] = ctx.match;
  if (!s || s.at !== step) return ctx.reply("Nút này không còn hiệu lực.");
  await closeButtons(ctx);
  const i = questions.findIndex(([key]) => key === step);
  switch (op) {
    case "c":
      delete ctx.session.screening;
      return ctx.reply("Đã hủy, chưa có gì được lưu.");
    case "b":
      if (s.changing || step === "review") return review(ctx, s);
      return step === "group" || i <= 1 ? askAt(ctx, s, 0) : askAt(ctx, s, i - 1);
    case "ch": {
      const j = questions.findIndex(([key]) => key === value);
      if (j < 0) return review(ctx, s);
      s.changing = true;
      return askAt(ctx, s, j);
    }
    case "ok":
      delete ctx.session.screening;
      return screened(ctx, s);
  }
  if (step === "reuse") {
    if (value !== "keep") return askAt(ctx, s, 0);
    s.answers = ctx.session.lastScreening.answers;
    delete ctx.session.screening;
    return screened(ctx, s);
  }
  if (step === "group") {
    if (value === "y") return askAt(ctx, s, 1);
    for (const [key] of questions.slice(1)) s.answers[key] = false;
    return review(ctx, s);
  }
  s.answers[step] = value === "y";
  if (s.changing || i + 1 === questions.length) {
    s.changing = false;
    return review(ctx, s);
  }
  return i === 0 ? askGroup(ctx, s) : askAt(ctx, s, i + 1);
});

// screened stores the answers with the registration and confirms it, or
// frees the seat when an answer defers the donor.
async function screened(ctx, s) {
  const eligible = Object.entries(s.answers).every(([key, yes]) => key === "donated_before" || !yes);
  const { rows } = await pool.query(
    `UPDATE registrations r SET screening_answers = $1, allowed_volume_ml = $2, status = $3, updated_at = now()
     FROM drive_slots s, drives d
     WHERE r.id = $4 AND r.donor_id = $5 AND r.status = 'confirmed' AND s.id = r.slot_id AND d.id = r.drive_id
     RETURNING d.title, d.wave, d.venue, d.hospital, d.organizer, d.starts_at, d.ends_at, s.starts_at AS slot_start, s.ends_at AS slot_end`,
    [JSON.stringify(s.answers), eligible ? 450 : null, eligible ? "confirmed" : "deferred", s.regId, ctx.session.donorId],
  );
  if (rows.length === 0) return ctx.reply("Đăng ký này không còn nữa.");
  const r = rows[0];
  ctx.session.lastScreening = { answers: s.answers, at: Date.now() };
  if (!eligible) return ctx.reply("Theo câu trả lời của bạn, lần này bạn chưa hiến máu được. Cảm ơn bạn!");
  await ctx.reply(`✅ Theo câu trả lời của bạn, bạn có thể hiến máu vào ngày ${day.format(r.slot_start)}, tối đa 450 ml.`);
  await ctx.reply(
    `✅ Đã xác nhận đăng ký của bạn!\n${driveCard(r, "?")}\n⏰ Khung giờ của bạn: ${clock.format(r.slot_start)}–${clock.format(r.slot_end)}` +
      "\n\nGõ /mydrives để hủy.",
  );
  await ctx.replyWithDocument(new InputFile(Buffer.from(calendar(s.regId, r)), "hien-mau.ics"), {
    caption: "Thêm vào lịch của bạn",
  });
}

const icsTime = (t) => t.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");

function calendar(regId, r) {
  return [
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//donorbot peer//grammY//VI", "BEGIN:VEVENT",
    `UID:reg-${regId}@peer-grammy`, `DTSTAMP:${icsTime(new Date())}`,
    `DTSTART:${icsTime(r.slot_start)}`, `DTEND:${icsTime(r.slot_end)}`,
    `SUMMARY:Hiến máu: ${r.title}`, `LOCATION:${r.venue}`, "END:VEVENT", "END:VCALENDAR", "",
  ].join("\r\n");
}

bot.command("mydrives", async (ctx) => {
  const { rows } = await pool.query(
    `SELECT r.id, d.title, d.venue, s.starts_at, s.ends_at FROM registrations r
     JOIN drive_slots s ON s.id = r.slot_id JOIN drives d ON d.id = r.drive_id
     WHERE r.donor_id = $1 AND r.status IN ('confirmed', 'waitlisted') AND s.starts_at > now()
     ORDER BY s.starts_at`,
    [ctx.session.donorId],
  );
  if (rows.length === 0) return ctx.reply("Bạn chưa đăng ký ngày hội nào. Gõ /drives để xem.");
  const kb = new InlineKeyboard();
  for (const r of rows) kb.text(`Hủy «${r.title}»`, `drv:v1:cancel:${r.id}`).row();
  const lines = rows.map(
    (r) => `${r.title}\n📅 ${day.format(r.starts_at)}, ${clock.format(r.starts_at)}–${clock.format(r.ends_at)} — ${r.venue}`,
  );
  await ctx.reply("Đăng ký của bạn:\n\n" + lines.join("\n\n"), { reply_markup: kb });
});

// Like donorbot since issue 18, cancelling asks first, in the list's
// message, and answers there.
bot.callbackQuery(/^drv:v1:cancel:(\d+)$/, async (ctx) => {
  await answerTap(ctx);
  const kb = new InlineKeyboard()
    .text("Có, hủy đăng ký", `drv:v1:cancelok:${ctx.match[1]}`)
    .text("Không, giữ lại", `drv:v1:keep:${ctx.match[1]}`);
  await ctx.editMessageText("Bạn muốn hủy đăng ký này? Chỗ của bạn sẽ được nhường cho người đang chờ.", { reply_markup: kb });
});

bot.callbackQuery(/^drv:v1:cancelok:(\d+)$/, async (ctx) => {
  await answerTap(ctx);
  const { rowCount } = await pool.query(
    `UPDATE registrations SET status = 'cancelled', updated_at = now()
     WHERE id = $1 AND donor_id = $2 AND status IN ('confirmed', 'waitlisted')`,
    [ctx.match[1], ctx.session.donorId],
  );
  if (rowCount === 0) return ctx.editMessageText("Đăng ký này không còn nữa.");
  await ctx.editMessageText("Đã hủy đăng ký. Cảm ơn bạn đã báo sớm để người khác có chỗ!");
});

bot.catch((err) => console.error("peer-grammy:", err.error ?? err));

const [host, port] = env("LISTEN_ADDR").split(/:(?=\d+$)/);
const path = new URL(env("WEBHOOK_URL")).pathname;
const handle = webhookCallback(bot, "http", { secretToken: env("WEBHOOK_SECRET") });
const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== path) {
    res.writeHead(404).end();
    return;
  }
  handle(req, res).catch((err) => {
    console.error("peer-grammy: webhook:", err);
    if (!res.headersSent) res.writeHead(500).end();
  });
});

await bot.init();
await new Promise((resolve) => server.listen(Number(port), host, resolve));
await bot.api.setWebhook(env("WEBHOOK_URL"), { secret_token: env("WEBHOOK_SECRET") });

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    Promise.allSettled([pool.end(), redis.quit()]).then(() => process.exit(0));
  });
}
