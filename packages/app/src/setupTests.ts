import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// CI runs nine jest projects beside each other on two cores: a first render
// that loads the table or the card can take well over the one second
// `findBy*` and `waitFor` wait by default. A real failure still fails, only
// later; the test timeout leaves room for that wait.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(30_000);
