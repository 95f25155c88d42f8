const branches = require('./utils/branches.js');

App({
  globalData: { branches: branches.all() },
});
