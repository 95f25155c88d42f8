/** Parses a user-typed amount ("12.5", "1,000") into cents, or returns an error message. */
function parseAmount(text) {
  const cleaned = String(text || '').replace(/[,\s]/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return { error: 'Enter an amount such as 100 or 12.50' };
  const cents = Math.round(Number(cleaned) * 100);
  if (cents <= 0) return { error: 'The amount must be more than zero' };
  if (cents > 5000000) return { error: 'Transfers above ¥50,000 need a branch visit' };
  return { cents };
}

module.exports = { parseAmount };
