'use strict';
// Loading a package that package.json's `overrides` replaced with this stub fails as if the
// package were not installed, so a caller that probes for an optional package (the mailer
// does, for preview-email) takes its "not installed" path. See docs/dependencies.md.
const error = new Error('this optional package is not installed (replaced by stubs/not-installed; see docs/dependencies.md)');
error.code = 'MODULE_NOT_FOUND';
throw error;
