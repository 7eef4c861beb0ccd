// Notifications in the browser: an urgent message nobody acknowledges escalates to Dr. Patel
// (the practice escalates after one minute here); the unread count in the header of her open
// page appears by itself, live, and leads to the notifications page, where "Mark as read" takes
// it away. The message is then acknowledged and the practice's setting put back.
const { test, expect } = require("@playwright/test");
const { PASSWORD, watch, signIn, accessible, screenshot } = require("./helpers");

async function api(request, email) {
  const login = await request.post("/api/v1/auth/login", { data: { email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  return { Authorization: `Bearer ${(await login.json()).access_token}` };
}

/** Set the practice's escalation wait; the previous value. */
async function escalateAfter(request, minutes) {
  const auth = await api(request, "manager@demo.careline.test");
  const orgs = await (await request.get("/api/v1/organizations", { headers: auth })).json();
  const practice = orgs.find((o) => o.name === "Capitol Eye Care");
  const url = `/api/v1/organizations/${practice.id}/practice-configuration`;
  const config = await (await request.get(url, { headers: auth })).json();
  const before = config.urgent_escalation_minutes;
  const body = { ...config, urgent_escalation_minutes: minutes };
  for (const k of ["organization_id", "updated_at", "updated_by", "ehr"]) { delete body[k]; }
  const put = await request.put(url, { headers: auth, data: body });
  expect(put.status(), await put.text()).toBe(200);
  return before;
}

test("an escalated urgent message shows in the header's count, live, and is marked read", async ({ browser }) => {
  test.setTimeout(150_000);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const w = watch(page);
  const before = await escalateAfter(ctx.request, 1);
  try {
    await signIn(page, "dr.patel@demo.careline.test");
    await expect(page.locator("#live")).toHaveAttribute("data-state", "online");
    const count = page.locator("#notification-count");
    await expect(count).toHaveAttribute("href", "/notifications");
    const badges = await count.locator(".badge").count();
    const unreadBefore = badges ? parseInt(await count.locator(".badge").textContent(), 10) : 0;

    // The front desk leaves an urgent message for Eleanor Brooks's doctor, Dr. Patel.
    const desk = await api(ctx.request, "reception@demo.careline.test");
    const patients = await (await ctx.request.get("/api/v1/patients?per_page=200", { headers: desk })).json();
    const eleanor = patients.items.find((p) => p.last_name === "Brooks");
    const left = await ctx.request.post("/api/v1/provider-messages", {
      headers: desk,
      data: { patient_id: eleanor.id, urgency: "urgent", body: "Sudden flashes of light in her right eye since this morning." },
    });
    expect(left.status(), await left.text()).toBe(201);
    const message = await left.json();

    // A minute later the chain's first step notifies her: the count moves without a reload.
    await expect(count.locator(".badge")).toContainText(String(unreadBefore + 1), { timeout: 100_000 });
    await screenshot(page, "notifications-header-count");
    await count.click();
    await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
    const item = page.locator("#notifications li.unread").first();
    await expect(item).toContainText("Urgent message waiting");
    await expect(item).toContainText("Capitol Eye Care");
    // The minimum necessary: neither the message nor the patient.
    await expect(page.locator("#notifications")).not.toContainText("flashes");
    await expect(page.locator("#notifications")).not.toContainText("Brooks");
    await expect(item.getByRole("link", { name: "Open" })).toHaveAttribute("href", new RegExp(`message-${message.id}$`));
    await accessible(page, "notifications");
    await screenshot(page, "notifications");
    await item.getByRole("button", { name: "Mark as read" }).click();
    await expect(page).toHaveURL(/\/notifications\?show=unread/);
    if (unreadBefore === 0) {
      await expect(page.locator("#notification-count .badge")).toHaveCount(0);
    } else {
      await expect(page.locator("#notification-count .badge")).toContainText(String(unreadBefore));
    }

    // She takes the message on: the chain stops.
    const doctor = await api(ctx.request, "dr.patel@demo.careline.test");
    const ack = await ctx.request.post(`/api/v1/provider-messages/${message.id}/acknowledge`, { headers: doctor });
    expect(ack.status(), await ack.text()).toBe(200);
    w.check();
  } finally {
    await escalateAfter(ctx.request, before);
    await ctx.close();
  }
});
