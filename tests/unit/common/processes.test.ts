import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { isAlive } from '../../../common/processes.ts';

describe('isAlive', () => {
  it('is true for this process and false for a process that has exited and been reaped', async () => {
    assert.equal(isAlive(process.pid), true);
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    assert.equal(isAlive(child.pid ?? 0), false);
  });

  it('is false for a zombie: exited, but not reaped by its parent', async () => {
    // `sh` starts a child that exits at once and then sleeps without waiting for it, leaving a zombie.
    const shell = spawn('sh', ['-c', 'sh -c "exit 0" & echo $!; exec sleep 5'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [line] = (await once(shell.stdout, 'data')) as [Buffer];
    const zombie = Number(line.toString().trim());
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      assert.equal(isAlive(zombie), false);
    } finally {
      shell.kill('SIGKILL');
    }
  });
});
