// Imports the module named by argv[2] with every kind of I/O a Worker refuses at
// module top level replaced by a recorder, and prints what was called as JSON.
const calls = [];
const trap = (name, original) =>
  function (...args) {
    calls.push(name);
    return original.apply(this, args);
  };
crypto.getRandomValues = trap('crypto.getRandomValues', crypto.getRandomValues.bind(crypto));
crypto.randomUUID = trap('crypto.randomUUID', crypto.randomUUID.bind(crypto));
for (const name of ['setTimeout', 'setInterval', 'fetch']) globalThis[name] = trap(name, globalThis[name]);
Math.random = trap('Math.random', Math.random);
await import(process.argv[2]);
process.stdout.write(JSON.stringify(calls));
