import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { SchemaIncompatibleError } from '../../../../connectors/avro/errors.js';
import type { AvroSchemaObject } from '../../../../connectors/avro/schemaRegistry.js';

/**
 * ConfluentSchemaRegistry's refusal of an incompatible schema, against a stub of the registry's
 * REST API on 127.0.0.1 that answers registration with HTTP 409 and a message naming no field
 * (as a registry may). Against the real registry: test/integration/connectors/avro.
 */

type Field = { readonly name: string; readonly type: unknown };

const SUBJECT = 'telemetry-value';

/** Answers the requests register() makes: the subject is BACKWARD, its v1 is the telemetry contract. */
function registryStub(requests: string[]) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const route = `${request.method} ${request.url}`;
    requests.push(route);
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      response.end(JSON.stringify(body));
    };
    request.resume();
    request.on('end', () => {
      if (route === `PUT /config/${SUBJECT}`) answer(200, { compatibility: 'BACKWARD' });
      else if (route === `GET /config/${SUBJECT}`) answer(200, { compatibilityLevel: 'BACKWARD' });
      else if (route === `POST /subjects/${SUBJECT}/versions`) {
        answer(409, {
          error_code: 409,
          message: 'Schema being registered is incompatible with an earlier schema',
        });
      } else if (route === `GET /subjects/${SUBJECT}/versions/latest`) {
        answer(200, { subject: SUBJECT, id: 7, version: 3, schema: JSON.stringify(telemetrySchema) });
      } else answer(404, { error_code: 40401, message: `no route ${route}` });
    });
  };
}

describe('ConfluentSchemaRegistry refusing an incompatible schema', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((closed) => server?.close(closed));
    server = undefined;
  });

  it('names the field and what changed (found locally) beside the registry answer', async () => {
    const requests: string[] = [];
    server = createServer(registryStub(requests));
    await new Promise<void>((listening) => server!.listen(0, '127.0.0.1', listening));
    const { port } = server.address() as AddressInfo;
    const registry = new ConfluentSchemaRegistry({ host: `http://127.0.0.1:${port}`, retries: 0 });

    const v4: AvroSchemaObject = {
      ...telemetrySchema,
      fields: (telemetrySchema.fields as Field[]).map((f) =>
        f.name === 'goodUnits' ? { ...f, type: 'string' } : f,
      ),
    };
    const error = await registry.register(SUBJECT, v4).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect(error).toMatchObject({
      subject: SUBJECT,
      field: 'goodUnits',
      againstVersion: 3,
      detail: 'type changed long → string',
      retriable: false,
    });
    const message = (error as Error).message;
    expect(message).toContain(
      `schema for subject ${SUBJECT} is not BACKWARD compatible with version 3: field goodUnits: type changed long → string; ` +
        'BACKWARD compatibility requires a reader of the new schema to read data written with version 3',
    );
    expect(message).toContain(
      'the registry answered: HTTP 409: twinflow - Schema being registered is incompatible with an earlier schema',
    );
    // The version checked against is the one the registry holds, asked after the refusal.
    expect(requests).toContain(`GET /subjects/${SUBJECT}/versions/latest`);
  });
});
