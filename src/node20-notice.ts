/**
 * supabase-js 2.119 prints a Node-20 deprecation notice with console.warn when it is first imported, in every
 * process and Playwright worker. It is known and harmless (the README says Node 22 is preferred), and it would
 * turn the suite's one-line errors into two lines, so exactly that notice is dropped. Import this module before
 * `@supabase/supabase-js`.
 */
const NOTICE = 'Node.js 20 and below are deprecated and will no longer be supported in future versions of @supabase/supabase-js';

const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes(NOTICE)) return;
  warn(...args);
};
