// The appointment calendar as the front desk works it, in Debian's chromium: the receptionist
// opens Dr. Chen's week, books an open slot for Samuel Ortiz from it, and the nurse's calendar
// (another browser, already open) shows the booking live; the receptionist moves it, then
// cancels it, and its history lists each step. Every page passes axe and raises no CSP
// violation.
const { test, expect } = require("@playwright/test");
const { watch, signIn, accessible, screenshot } = require("./helpers");

test("the front desk books, moves and cancels from the calendar; others see it live", async ({ browser }) => {
  const deskCtx = await browser.newContext();
  const nurseCtx = await browser.newContext();
  const desk = await deskCtx.newPage();
  const nurse = await nurseCtx.newPage();
  const wd = watch(desk);
  const wn = watch(nurse);

  await signIn(nurse, "nurse@demo.careline.test");
  await nurse.getByRole("link", { name: "Appointments" }).click();
  await nurse.getByLabel("Provider").selectOption({ label: "Dr. Marcus Chen" });
  await nurse.getByRole("button", { name: "Show" }).click();
  await expect(nurse.locator("#live")).toHaveAttribute("data-state", "online");
  const booked = nurse.locator("#calendar li.booked", { hasText: "Ortiz, Samuel" });
  const before = await booked.count();

  await signIn(desk, "reception@demo.careline.test");
  await desk.getByRole("link", { name: "Appointments" }).click();
  await desk.getByLabel("Provider").selectOption({ label: "Dr. Marcus Chen" });
  await desk.getByLabel("Open slots for").selectOption({ label: "Routine eye exam" });
  await desk.getByRole("button", { name: "Show" }).click();
  await expect(desk.getByRole("heading", { name: /Appointments · Capitol Eye Care/ })).toBeVisible();
  await accessible(desk, "calendar");
  await screenshot(desk, "appointments-calendar");

  // The first open slot of the week.
  const open = desk.locator("#calendar li.open a").first();
  await expect(open).toBeVisible();
  await open.click();
  await expect(desk.getByRole("heading", { name: "Book an appointment" })).toBeVisible();
  await accessible(desk, "book an appointment");
  const samuel = await desk.locator("#patient_id option", { hasText: "Ortiz, Samuel" }).getAttribute("value");
  await desk.locator("#patient_id").selectOption(samuel);
  await desk.getByLabel("Instructions for the patient").fill("Bring your current glasses.");
  await desk.getByRole("button", { name: "Book" }).click();

  // The appointment's page: requested, with a confirmation number and its first step.
  await expect(desk.getByRole("heading", { name: "Routine eye exam · Ortiz, Samuel" })).toBeVisible();
  await expect(desk.locator(".status-line .tag")).toHaveText("requested");
  await expect(desk.locator("dl.facts")).toContainText(/Confirmation number\s*\d{8}/);
  await accessible(desk, "appointment");
  await screenshot(desk, "appointment");

  // The nurse's calendar grew by one without a reload.
  await expect(booked).toHaveCount(before + 1);

  // Confirm, then move it to another open time, then cancel it with a reason.
  await desk.getByRole("button", { name: "Confirm" }).click();
  await expect(desk.locator(".status-line .tag")).toHaveText("confirmed");
  // To another doctor: the times are grouped by provider, the appointment's own first.
  const groups = desk.getByLabel("Move to").locator("optgroup");
  expect(await groups.count()).toBeGreaterThan(1);
  const otherDoctor = await groups.nth(1).getAttribute("label");
  const option = groups.nth(1).locator("option").nth(3);
  const target = await option.textContent();
  await desk.getByLabel("Move to").selectOption(await option.getAttribute("value"));
  await desk.getByLabel("Why it moves (optional)").fill("patient asked");
  await desk.getByRole("button", { name: "Move" }).click();
  await expect(desk.locator(".status-line")).toContainText(target.trim().replace(/ C[SD]T$/, ""));
  await expect(desk.locator(".status-line")).toContainText(otherDoctor);
  // Gone from Dr. Chen's calendar on the nurse's screen, without a reload.
  await expect(booked).toHaveCount(before);
  await desk.getByLabel("Why it is cancelled (optional)").fill("feeling better");
  await desk.getByRole("button", { name: "Cancel appointment" }).click();
  await expect(desk.locator(".status-line .tag")).toHaveText("cancelled");
  const history = desk.locator("#history-title + table tbody tr");
  await expect(history).toHaveCount(4);
  await expect(history.nth(2)).toContainText("patient asked");
  await expect(history.nth(3)).toContainText("feeling better");

  wd.check();
  wn.check();
  await deskCtx.close();
  await nurseCtx.close();
});
