// Replaced by the example generator with the version being built.
module.exports = '0.0.0-dev';
