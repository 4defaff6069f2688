/**
 * The settings file a running `npm run stack` leaves for other shells. Its owner is
 * local-stack/stack-files.ts, which writes, reads and removes all the stack's files; the names the token
 * helper has always used are kept here.
 */
export { LOCAL_STACK_FILE, type LocalStackFile, readLocalStackFile } from '../local-stack/stack-files.ts';
