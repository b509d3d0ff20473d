import { afterAll, beforeAll, expect, it } from 'vitest';
import { Terminals } from './tmux-screen.ts';

let terminals: Terminals;

beforeAll(async () => {
  terminals = await Terminals.start();
});

afterAll(async () => {
  await terminals?.close();
});

it('runs a command in exactly the given environment, quoting every part, and reports its exit status', async () => {
  const screen = await terminals.open(
    ['/bin/sh', '-c', 'printf "%s|%s|%s\\n" "$GREETING" "$HOME" "$1"; exit 3', 'sh', "it's $HOME"],
    { GREETING: "it's me" },
  );
  expect(await screen.exitCode()).toBe(3);
  expect(await screen.text()).toBe("it's me||it's $HOME\n");
});

it('joins the lines the 80-column terminal wrapped', async () => {
  const line = 'x'.repeat(100);
  const screen = await terminals.open(['/bin/sh', '-c', `echo ${line}; echo end`], {});
  expect(await screen.exitCode()).toBe(0);
  expect(await screen.text()).toBe(`${line}\nend\n`);
});

it('types keys into the command, and Ctrl-C ends it with 128 + SIGINT', async () => {
  const screen = await terminals.open(['/bin/sh', '-c', 'read answer; echo "got $answer"; sleep 30'], {});
  await screen.keys('yes', 'Enter');
  await screen.waitFor(/^got yes$/m);
  await screen.keys('C-c');
  expect(await screen.exitCode()).toBe(130);
});

it('says what the screen showed when the text never appears', async () => {
  const screen = await terminals.open(['/bin/sh', '-c', 'echo nothing here'], {});
  await screen.exitCode();
  await expect(screen.waitFor(/something else/, 0)).rejects.toThrow(
    'The screen never showed /something else/:\nnothing here\n',
  );
});
