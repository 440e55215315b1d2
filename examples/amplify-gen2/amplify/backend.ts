// The backend: the pool and cognito-reset's functions, then `reset.attach`, which wires what
// defineAuth does not express (pre token generation V2_0, the senders' key and delivery table,
// the rule attributes out of the app client's writes, the rule recording updatePassword).
import { defineBackend } from '@aws-amplify/backend';
import { auth, reset } from './auth/resource';

const backend = defineBackend({ auth, ...reset.functions });
reset.attach(backend);

const { cfnUserPool } = backend.auth.resources.cfnResources;

// Minimum length 32, Amplify's other defaults kept.
cfnUserPool.policies = {
  passwordPolicy: {
    minimumLength: 32,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: false,
    temporaryPasswordValidityDays: 3,
  },
};
