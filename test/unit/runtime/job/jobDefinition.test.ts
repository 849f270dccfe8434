import { describe, expect, it } from 'vitest';
import { defineJob, jobDefinitionProblem } from '../../../../runtime/job/jobDefinition.js';

describe('jobDefinitionProblem', () => {
  const base = { name: 'pump-health', description: 'pumps', run: async () => 0 };

  it('takes a job with a whatif command, and refuses one that is not a function', () => {
    expect(jobDefinitionProblem({ ...base, whatif: async () => 0 })).toBeUndefined();
    expect(jobDefinitionProblem({ ...base, whatif: 'yes' })).toBe(
      'whatif must be a function (args, io) => Promise<exit code>',
    );
    expect(() => defineJob({ ...base, whatif: 3 } as never)).toThrow(/whatif must be a function/);
  });
});
