const BRANCHES = [
  {
    id: 'sh-lujiazui',
    city: 'Shanghai',
    name: '陆家嘴支行 Lujiazui',
    meters: 450,
    atm: true,
    open: '09:00-17:00',
  },
  {
    id: 'sh-jingan',
    city: 'Shanghai',
    name: '静安支行 Jing’an',
    meters: 2300,
    atm: true,
    open: '09:00-17:30',
  },
  {
    id: 'bj-guomao',
    city: 'Beijing',
    name: '国贸支行 Guomao',
    meters: 1200,
    atm: false,
    open: '09:00-16:30',
  },
  { id: 'sz-futian', city: 'Shenzhen', name: '福田支行 Futian', meters: 800, atm: true, open: '09:00-17:00' },
];

function all() {
  return BRANCHES.slice();
}

function search(list, text) {
  const q = String(text || '')
    .trim()
    .toLowerCase();
  if (!q) return list;
  return list.filter((b) => b.name.toLowerCase().includes(q) || b.city.toLowerCase().includes(q));
}

module.exports = { all, search };
